package io.cryoprotect.gateway.smiles;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import uk.ac.ebi.beam.Graph;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SmilesSyntax} against an independent parser: Beam, in its strict (OpenSMILES)
 * mode, over a corpus generated from a fixed seed. Every string Beam accepts must pass
 * the checker, unless it falls in a {@link BeamOnly} class, a refusal this checker makes
 * on purpose. Strings only the checker accepts must fall in an {@link OursOnly} class, a
 * matter of chemistry beyond grammar. Each class must still occur in the corpus, so its
 * explanation cannot outlive the behaviour. Beam's lenient mode is not the oracle: it
 * also reads bare {@code H}, {@code D} and {@code T} and keeps any unknown bracket text
 * as a label, none of which RDKit parses.
 */
class SmilesSyntaxDifferentialTests {

	private static final long SEED = 19;

	private static final int GENERATED = 30_000;

	private static final List<Outcome> OUTCOMES = new Corpus(new Random(SEED)).strings()
		.stream()
		.map(Outcome::of)
		.toList();

	/** A documented kind of disagreement, recognised by the refusing side's message. */
	interface Disagreement {

		Pattern message();

	}

	/**
	 * Strings Beam accepts and the checker refuses, recognised by the checker's message.
	 * Beam is forgiving where OpenSMILES and RDKit are not; the checker sides with the
	 * grammar and with the backend behind it.
	 */
	enum BeamOnly implements Disagreement {

		/**
		 * Beam stops at whitespace and takes the rest for a title; a field holds one
		 * molecule, so the rest would be silently lost.
		 */
		WHITESPACE("unexpected whitespace"),

		/**
		 * Beam reads the empty string as a molecule without atoms; a request naming no
		 * molecule is refused.
		 */
		EMPTY("^SMILES is empty$"),

		/**
		 * Beam carries a bond into the branch after it, C=(O)C; OpenSMILES puts the bond
		 * inside the branch, and RDKit refuses it.
		 */
		BOND_BEFORE_BRANCH("^bond '.' at position \\d+ must be followed by an atom or ring bond, found '\\('"),

		/**
		 * Beam skips a branch with no atom, C() or C(=); the grammar's branch holds a
		 * chain of at least one atom.
		 */
		EMPTY_BRANCH("^empty branch|^bond '.' at position \\d+ must be followed by an atom, found '\\)'"),

		/**
		 * Beam ignores a bond or dot with no atom on one side (.C, =C, C., C=, C(O=)C,
		 * C.(C)); the grammar puts a dot and a bond only between two atoms.
		 */
		DANGLING_BOND_OR_DOT("^SMILES must start with an atom, found '[-=#$:/\\\\.]'|is not followed by an atom$"
				+ "|^'\\.' at position \\d+ must be followed by an atom, found '[()]'"
				+ "|^bond '.' at position \\d+ must be followed by an atom or ring bond, found '\\)'"),

		/**
		 * Beam reads a doubled backslash as one, C\\C, undoing the escape of a string
		 * literal; unescaping is the client's job, and RDKit refuses the doubled bond.
		 */
		DOUBLED_BACKSLASH("^bond '\\\\' at position \\d+ directly follows bond '\\\\'"),

		/**
		 * Beam sums any run of signs and takes any magnitude, [Fe+++], [C+-], [C+16];
		 * OpenSMILES allows only -15 to +15, written as one sign with an optional number,
		 * or as ++ and --.
		 */
		CHARGE("^charge '[-+]\\d+' at position \\d+ is out of range"
				+ "|^unexpected '[-+]' at position \\d+ in bracket atom"),

		/**
		 * Beam takes an isotope of any length; no nuclide has a mass number above three
		 * digits.
		 */
		LONG_ISOTOPE("^isotope at position \\d+ has more than 3 digits$"),

		/**
		 * Beam reads a hydrogen count of several digits, [CH12]; the OpenSMILES hydrogen
		 * count is one digit.
		 */
		HYDROGEN_COUNT("^unexpected '\\d' at position \\d+ in bracket atom");

		private final Pattern message;

		BeamOnly(String message) {
			this.message = Pattern.compile(message);
		}

		@Override
		public Pattern message() {
			return this.message;
		}

	}

	/**
	 * Strings the checker accepts and Beam refuses, recognised by Beam's message. Each
	 * needs the molecule's graph or geometry, which a linear grammar check does not
	 * build; the backend answers such a molecule itself.
	 */
	enum OursOnly implements Disagreement {

		/**
		 * A ring bond joining two atoms already bonded, C1C1: a graph fact, not a grammar
		 * rule.
		 */
		DUPLICATE_BOND("^Endpoints of ringbond are already connected"),

		/**
		 * A ring bond opened and closed with single bonds of differing direction marks,
		 * C/1CC/1: direction is cis/trans stereo, checked by whoever reads the geometry.
		 */
		RING_BOND_DIRECTION("^Ring closure bonds did not match"),

		/**
		 * An aromatic element OpenSMILES does not list, [te]: RDKit reads it, so the
		 * checker lets it through.
		 */
		ABNORMAL_AROMATIC("^abnormal aromatic element"),

		/**
		 * Ring bond labels %00 to %09: OpenSMILES writes a ring bond as % and two digits,
		 * and RDKit reads them as rings 0 to 9; Beam refuses a leading zero.
		 */
		PERCENT_LEADING_ZERO("^two digits must follow '%'"),

		/**
		 * A chirality or cis/trans mark that does not fit its atom's neighbours ([C@OH1],
		 * an allene mark away from an allene, C=7/F...): stereo is read from the
		 * geometry, not the grammar.
		 */
		STEREO("(?i)^Inva\\w* number of vert|^Cannot have <= 1 vertices|explicit neighbours$|^Invalid Allene stereo"
				+ "|^Ignored invalid Cis/Trans|^stereo topology failed");

		private final Pattern message;

		OursOnly(String message) {
			this.message = Pattern.compile(message);
		}

		@Override
		public Pattern message() {
			return this.message;
		}

	}

	@Test
	void everyStringBeamAcceptsPassesTheCheckerUnlessItIsADocumentedRefusal() {
		assertEachDisagreementIsDocumented(BeamOnly.class, (outcome) -> outcome.beam() == null ? outcome.ours() : null,
				"accepted by Beam, refused by SmilesSyntax");
	}

	@Test
	void everyStringOnlyTheCheckerAcceptsNeedsMoreThanGrammar() {
		assertEachDisagreementIsDocumented(OursOnly.class, (outcome) -> outcome.ours() == null ? outcome.beam() : null,
				"accepted by SmilesSyntax, refused by Beam");
	}

	/**
	 * Every outcome for which {@code refusal} gives the one side's message, the other
	 * side having accepted, falls in a documented kind, and every documented kind occurs.
	 */
	private static <K extends Enum<K> & Disagreement> void assertEachDisagreementIsDocumented(Class<K> kinds,
			Function<Outcome, String> refusal, String description) {
		Set<K> seen = EnumSet.noneOf(kinds);
		List<String> unexplained = new ArrayList<>();
		for (Outcome outcome : OUTCOMES) {
			String message = refusal.apply(outcome);
			if (message != null) {
				Arrays.stream(kinds.getEnumConstants())
					.filter((kind) -> kind.message().matcher(message).find())
					.findFirst()
					.ifPresentOrElse(seen::add, () -> unexplained.add(outcome.smiles() + " -> " + message));
			}
		}
		assertThat(unexplained).as(description + " for no documented reason").isEmpty();
		assertThat(seen).as("documented kinds the corpus no longer shows")
			.containsExactlyInAnyOrder(kinds.getEnumConstants());
	}

	@Test
	void corpusExercisesBothVerdicts() {
		long bothAccept = OUTCOMES.stream().filter((o) -> o.ours() == null && o.beam() == null).count();
		long bothRefuse = OUTCOMES.stream().filter((o) -> o.ours() != null && o.beam() != null).count();
		assertThat(OUTCOMES).hasSizeGreaterThan(GENERATED);
		// Random stereo marks and ring bond symbols make most generated molecules wrong
		// for one of the two.
		assertThat(bothAccept).as("strings both accept").isGreaterThan(OUTCOMES.size() / 20);
		assertThat(bothRefuse).as("strings both refuse").isGreaterThan(OUTCOMES.size() / 5);
	}

	/**
	 * One string's verdicts: {@code null} for accepted, otherwise the refusal's message.
	 */
	record Outcome(String smiles, String ours, String beam) {

		static Outcome of(String smiles) {
			return new Outcome(smiles, SmilesSyntax.check(smiles), beamVerdict(smiles));
		}

		private static String beamVerdict(String smiles) {
			try {
				Graph.parse(smiles, true, new HashSet<>());
				return null;
			}
			catch (IOException ex) {
				return ex.getMessage().lines().findFirst().orElse("");
			}
			catch (RuntimeException ex) {
				// Beam fails outright on some input, such as a bracket atom cut off by
				// the end of the string.
				// Told apart by where it was thrown: Surefire runs with
				// -XX:-OmitStackTraceInFastThrow, so an
				// exception the JIT has seen many times still has its stack trace.
				boolean stereo = Arrays.stream(ex.getStackTrace())
					.anyMatch((frame) -> frame.getMethodName().equals("createTopologies"));
				return (stereo ? "stereo topology failed: " : "parser failed: ") + ex;
			}
		}

	}

	/**
	 * SMILES built from the grammar's parts, some of them out of range, half of them then
	 * broken by random edits, plus hand-picked molecules and their mutations. The same
	 * seed gives the same corpus.
	 */
	static final class Corpus {

		private static final List<String> MOLECULES = List.of("OCC(O)CO", "CS(=O)C", "OCCO", "c1ccccc1",
				"OC[C@H]1O[C@H](O[C@H]2O[C@H](CO)[C@@H](O)[C@H](O)[C@H]2O)[C@H](O)[C@@H](O)[C@@H]1O", "F/C=C/F",
				"C%10CCCCC%10", "[Na+].[Cl-]", "[2H]C([2H])([2H])[2H]", "[Co@OH30](F)(F)(F)(F)(F)F", "c1cc[se]c1",
				"C=1CCCC=1", "[Fe+2]", "CC(=O)O", "N[C@@H](C)C(=O)O", "", "C C", "C=(O)C", "C(=)C", "C.", "[C+16]",
				"[12345C]", "[CH12]", "C1C1", "C/1CCC/1", "[te]1cccc1", "[C@OH1]");

		private static final String[] ORGANIC = { "B", "C", "N", "O", "P", "S", "F", "Cl", "Br", "I", "*", "b", "c",
				"n", "o", "p", "s" };

		// Each part of a bracket atom as the grammar allows it, and as it is sometimes
		// written out of range.
		private static final String[] ISOTOPES = { "", "", "", "", "1", "2", "13", "235", "0" };

		private static final String[] WILD_ISOTOPES = { "1234", "00000" };

		private static final String[] SYMBOLS = { "C", "N", "O", "H", "Fe", "Na", "Cl", "U", "Og", "Co", "Pt", "As",
				"*", "c", "n", "o", "s", "p", "b", "se", "as" };

		private static final String[] WILD_SYMBOLS = { "te", "si", "Xx", "R", "D", "Zz", "a" };

		private static final String[] CHIRALITIES = { "", "", "", "", "@", "@@", "@TH1", "@TH2", "@AL1", "@AL2", "@SP1",
				"@SP3", "@TB1", "@TB20", "@OH1", "@OH30" };

		private static final String[] WILD_CHIRALITIES = { "@TH3", "@SP4", "@TB21", "@OH31", "@TH0", "@TH01", "@XX1",
				"@@@" };

		private static final String[] HYDROGENS = { "", "", "", "H", "H0", "H1", "H3" };

		private static final String[] WILD_HYDROGENS = { "H10", "H12" };

		private static final String[] CHARGES = { "", "", "", "", "+", "-", "++", "--", "+0", "+2", "-3", "+15",
				"-15" };

		private static final String[] WILD_CHARGES = { "+++", "+-", "+16", "-99", "+1+" };

		private static final String[] CLASSES = { "", "", "", "", ":1", ":0", ":00", ":123" };

		private static final String[] WILD_CLASSES = { ":", ":x" };

		private static final String[] BONDS = { "", "", "", "", "", "-", "=", "#", "$", ":", "/", "\\" };

		private static final String JUNK = "[]()%.=#$:/\\@+-0123456789HCcnXx* \t\u00e9";

		private final Random random;

		Corpus(Random random) {
			this.random = random;
		}

		Set<String> strings() {
			Set<String> strings = new LinkedHashSet<>(MOLECULES);
			for (String molecule : MOLECULES) {
				for (int i = 0; i < 20; i++) {
					strings.add(mutate(molecule));
				}
			}
			for (int i = 0; i < GENERATED; i++) {
				String molecule = molecule();
				strings.add(molecule);
				if (this.random.nextBoolean()) {
					strings.add(mutate(molecule));
				}
			}
			return strings;
		}

		private String molecule() {
			StringBuilder out = new StringBuilder();
			List<String> open = new ArrayList<>();
			chain(out, open, 0);
			// Most rings are closed, so that not every string with a ring bond is refused
			// for it.
			for (String label : open) {
				if (this.random.nextInt(10) > 0) {
					out.append(pick(BONDS)).append('C').append(pick(BONDS)).append(label);
				}
			}
			return out.toString();
		}

		private void chain(StringBuilder out, List<String> open, int depth) {
			int atoms = 1 + this.random.nextInt(6);
			for (int i = 0; i < atoms; i++) {
				if (i > 0) {
					out.append((this.random.nextInt(15) == 0) ? "." : pick(BONDS));
				}
				atom(out);
				while (this.random.nextInt(4) == 0) {
					out.append(pick(BONDS)).append(ringLabel(open));
				}
				while (depth < 3 && this.random.nextInt(5) == 0) {
					out.append('(').append(pick(BONDS));
					chain(out, open, depth + 1);
					out.append(')');
				}
			}
		}

		private void atom(StringBuilder out) {
			if (this.random.nextInt(3) > 0) {
				out.append(pick(ORGANIC));
				return;
			}
			out.append('[')
				.append(pick(ISOTOPES, WILD_ISOTOPES))
				.append(pick(SYMBOLS, WILD_SYMBOLS))
				.append(pick(CHIRALITIES, WILD_CHIRALITIES))
				.append(pick(HYDROGENS, WILD_HYDROGENS))
				.append(pick(CHARGES, WILD_CHARGES))
				.append(pick(CLASSES, WILD_CLASSES));
			if (this.random.nextInt(30) > 0) {
				out.append(']');
			}
		}

		/**
		 * Closes an open ring or opens a new one, as a digit, %nn or, rarely, a malformed
		 * %n.
		 */
		private String ringLabel(List<String> open) {
			if (!open.isEmpty() && this.random.nextBoolean()) {
				return open.remove(this.random.nextInt(open.size()));
			}
			int number = this.random.nextInt(100);
			String label;
			if (this.random.nextInt(30) == 0) {
				label = "%" + (number % 10);
			}
			else if (number < 10 && this.random.nextInt(4) > 0) {
				label = String.valueOf(number);
			}
			else {
				label = String.format("%%%02d", number);
			}
			open.add(label);
			return label;
		}

		/**
		 * One to three edits: insert a character the grammar cares about, delete, swap or
		 * repeat a slice.
		 */
		private String mutate(String molecule) {
			StringBuilder out = new StringBuilder(molecule);
			int edits = 1 + this.random.nextInt(3);
			for (int i = 0; i < edits; i++) {
				int at = this.random.nextInt(out.length() + 1);
				switch ((out.length() < 2) ? 0 : this.random.nextInt(4)) {
					case 0 -> out.insert(at, JUNK.charAt(this.random.nextInt(JUNK.length())));
					case 1 -> out.deleteCharAt(Math.min(at, out.length() - 1));
					case 2 -> {
						int first = Math.min(at, out.length() - 2);
						char swapped = out.charAt(first);
						out.setCharAt(first, out.charAt(first + 1));
						out.setCharAt(first + 1, swapped);
					}
					default -> {
						int end = Math.min(out.length(), at + 1 + this.random.nextInt(4));
						out.insert(at, out.substring(Math.min(at, end - 1), end));
					}
				}
			}
			return out.toString();
		}

		private String pick(String[] choices) {
			return choices[this.random.nextInt(choices.length)];
		}

		private String pick(String[] choices, String[] wild) {
			return pick((this.random.nextInt(10) == 0) ? wild : choices);
		}

	}

}
