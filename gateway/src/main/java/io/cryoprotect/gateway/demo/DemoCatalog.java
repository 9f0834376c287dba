package io.cryoprotect.gateway.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A handful of real cryoprotectants, shaped like the Flask molecule record and RDKit
 * answers.
 */
final class DemoCatalog {

	record Molecule(String id, int cid, String name, String formula, String smiles, double weight, double logp,
			double tpsa, int donors, int acceptors, int heavyAtoms, String inchiKey) {

		Map<String, Object> flaskRecord() {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("id", id);
			m.put("cid", cid);
			m.put("name", name);
			m.put("molecular_formula", formula);
			m.put("smiles", smiles);
			m.put("pubchem_link", "https://pubchem.ncbi.nlm.nih.gov/compound/" + cid);
			m.put("created_at", "2025-03-14T09:26:53Z");
			m.put("updated_at", "2025-06-01T12:00:00Z");
			m.put("properties", Map.of("molecular_weight", weight, "logp", logp, "tpsa", tpsa));
			return m;
		}

		Map<String, Object> convexRecord() {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("_id", "k17" + id.substring(0, 8));
			m.put("name", name);
			m.put("pubchemCid", cid);
			m.put("canonicalSmiles", smiles);
			m.put("inchiKey", inchiKey);
			m.put("formula", formula);
			m.put("status", "active");
			return m;
		}

	}

	static final List<Molecule> MOLECULES = List.of(
			new Molecule("3f1c9a52-7d4e-4b8a-9c1e-0a5b6d7e8f90", 753, "Glycerol", "C3H8O3", "OCC(O)CO", 92.094, -1.76,
					60.69, 3, 3, 6, "PEDCQBHIVMGVHV-UHFFFAOYSA-N"),
			new Molecule("8b2d4e61-1a3c-4f5e-8d7a-2b9c0e1f3a45", 679, "Dimethyl sulfoxide", "C2H6OS", "CS(=O)C", 78.13,
					-0.0053, 36.28, 0, 1, 4, "IAZDPXIOMUYVGZ-UHFFFAOYSA-N"),
			new Molecule("c4e5f6a7-2b3d-4c8e-9f0a-1b2c3d4e5f67", 174, "Ethylene glycol", "C2H6O2", "OCCO", 62.068,
					-1.03, 40.46, 2, 2, 4, "LYCAIKOWRPUZTN-UHFFFAOYSA-N"),
			new Molecule("d9e8f7a6-5b4c-4d3e-8f2a-1b0c9d8e7f65", 1030, "Propylene glycol", "C3H8O2", "CC(O)CO", 76.095,
					-0.64, 40.46, 2, 2, 5, "DNIAPMSPPWPWGF-UHFFFAOYSA-N"),
			new Molecule("e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b", 7427, "Trehalose", "C12H22O11",
					"OC[C@H]1O[C@H](O[C@H]2O[C@H](CO)[C@@H](O)[C@H](O)[C@H]2O)[C@H](O)[C@@H](O)[C@@H]1O", 342.3, -4.23,
					189.53, 8, 11, 23, "HDTRYLNUVZCQOY-LIZSDCNHSA-N"));

	private DemoCatalog() {
	}

	static Molecule bySmiles(String smiles) {
		return MOLECULES.stream().filter(m -> m.smiles().equals(smiles)).findFirst().orElse(null);
	}

	static Molecule byId(String id) {
		return MOLECULES.stream().filter(m -> m.id().equals(id)).findFirst().orElse(null);
	}

}
