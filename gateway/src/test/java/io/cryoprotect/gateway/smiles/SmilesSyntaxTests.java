package io.cryoprotect.gateway.smiles;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Tests for {@link SmilesSyntax}. */
class SmilesSyntaxTests {

	private static final String TREHALOSE = "OC[C@H]1O[C@H](O[C@H]2O[C@H](CO)[C@@H](O)[C@H](O)[C@H]2O)[C@H](O)[C@@H](O)[C@@H]1O";

	private static final String SUCROSE = "OC[C@H]1O[C@@](CO)(O[C@H]2O[C@H](CO)[C@@H](O)[C@H](O)[C@H]2O)[C@@H](O)[C@@H]1O";

	private static final List<String> ELEMENTS = List.of("H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", "Na",
			"Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca", "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu",
			"Zn", "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag",
			"Cd", "In", "Sn", "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb",
			"Dy", "Ho", "Er", "Tm", "Yb", "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", "Tl", "Pb", "Bi",
			"Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", "Md",
			"No", "Lr", "Rf", "Db", "Sg", "Bh", "Hs", "Mt", "Ds", "Rg", "Cn", "Nh", "Fl", "Mc", "Lv", "Ts", "Og");

	@ParameterizedTest(name = "{0}")
	@MethodSource("molecules")
	void moleculeIsValid(String name, String smiles) {
		assertThat(SmilesSyntax.check(smiles)).isNull();
		assertThat(SmilesSyntax.isValid(smiles)).isTrue();
	}

	static Stream<Arguments> molecules() {
		return Stream.of(Arguments.of("glycerol", "OCC(O)CO"), Arguments.of("DMSO", "CS(=O)C"),
				Arguments.of("ethylene glycol", "OCCO"), Arguments.of("trehalose", TREHALOSE),
				Arguments.of("sucrose", SUCROSE),
				Arguments.of("ring bond after a branch, which RDKit parses", "C(C)1CCC1"),
				Arguments.of("input at the maximum length", "C".repeat(SmilesSyntax.MAX_LENGTH)),
				Arguments.of("deeply nested branches", "C(".repeat(3_000) + "C" + ")".repeat(3_000)));
	}

	@ParameterizedTest
	@ValueSource(strings = { "c1ccccc1", "[13CH4]", "[NH4+]", "[O-]C(=O)C", "[Fe+2]", "[Na+].[Cl-]", "C%10CCCCC%10",
			"F/C=C/F", "F\\C=C\\F", "[2H]C([2H])([2H])[2H]", "[C@@H](N)(C)C(=O)O", "[CH3:1]C", "ClCBr", "*C*", "[*:1]C",
			"[235U]", "[H+]", "[CH0]", "C#N", "C$C", "c:c", "C(.O)C", "[Na+].[O-]C(=O)C" })
	void wellFormedSmilesIsValid(String smiles) {
		assertThat(SmilesSyntax.check(smiles)).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "c1cc[se]c1", "c1cc[te]c1", "c1cc[as]c1", "[nH]1cccc1", "[b-]", "[pH]" })
	void aromaticBracketAtomsAreValid(String smiles) {
		assertThat(SmilesSyntax.check(smiles)).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "[C@TH1](F)(Cl)(Br)I", "[C@TH2](F)(Cl)(Br)I", "C=[C@AL1]=C", "[Pt@SP3](Cl)(Cl)(N)N",
			"[As@TB1](F)(F)(F)(F)F", "[As@TB20](F)(F)(F)(F)F", "[Co@OH30](F)(F)(F)(F)(F)F", "[C@](F)(Cl)(Br)I" })
	void chiralityClassesWithinRangeAreValid(String smiles) {
		assertThat(SmilesSyntax.check(smiles)).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "[O--]", "[Fe++]", "[Fe+3]", "[S-2]", "[Cu+15]", "[C-15]", "[C+0]" })
	void chargesUpToFifteenAreValid(String smiles) {
		assertThat(SmilesSyntax.check(smiles)).isNull();
	}

	@ParameterizedTest
	@ValueSource(strings = { "C1CC1C1CC1", "C=1CCCC1", "C1CCCC=1", "C=1CCCC=1", "C/1CCC\\1", "C1.C1", "C12CCC1CC2",
			"C%99CC%99", "C0CC0" })
	void ringBondLabelsCanBeReusedAndCarryOneAgreedBond(String smiles) {
		assertThat(SmilesSyntax.check(smiles)).isNull();
	}

	@Test
	void elementTableNamesEachOfThe118ElementsOnce() {
		assertThat(ELEMENTS).hasSize(118).doesNotHaveDuplicates();
	}

	@ParameterizedTest(name = "[{0}]")
	@MethodSource("elements")
	void everyElementIsAcceptedInBrackets(String symbol) {
		assertThat(SmilesSyntax.check("[" + symbol + "]")).isNull();
	}

	static Stream<String> elements() {
		return ELEMENTS.stream();
	}

	@Test
	void anyCharSequenceIsAccepted() {
		assertThat(SmilesSyntax.check(new StringBuilder("OCC(O)CO"))).isNull();
	}

	@ParameterizedTest(name = "{0}: \"{1}\"")
	@MethodSource("malformed")
	void malformedSmilesIsRejectedWithPositionedMessage(String behaviour, String smiles, String message) {
		assertThat(SmilesSyntax.check(smiles)).isEqualTo(message);
		assertThat(SmilesSyntax.isValid(smiles)).isFalse();
	}

	static Stream<Arguments> malformed() {
		return Stream.of(Arguments.of("empty string is rejected", "", "SMILES is empty"),
				Arguments.of("null is rejected", null, "SMILES is missing"),
				Arguments.of("overlong input is rejected before scanning", "C".repeat(20_000),
						"SMILES is 20000 characters long, more than the maximum of 10000"),
				Arguments.of("unbalanced branch is rejected", "OCC(O", "unclosed branch '(' opened at position 3"),
				Arguments.of("first unclosed branch is reported", "C(C(C", "unclosed branch '(' opened at position 1"),
				Arguments.of("unmatched close is rejected", "OCC)O", "unmatched ')' at position 3"),
				Arguments.of("unclosed ring is rejected", "C1CC", "unclosed ring bond 1 opened at position 1"),
				Arguments.of("earliest unclosed ring is reported", "C1CC2",
						"unclosed ring bond 1 opened at position 1"),
				Arguments.of("unclosed percent ring is rejected", "C%10CCCCC%11",
						"unclosed ring bond %10 opened at position 1"),
				Arguments.of("empty branch is rejected", "C()C", "empty branch '()' at position 1"),
				Arguments.of("branch before first atom is rejected", "(C)C",
						"SMILES must start with an atom, found '(' at position 0"),
				Arguments.of("branch starting with a branch is rejected", "C((C))",
						"branch opened at position 1 must start with an atom, found '(' at position 2"),
				Arguments.of("branch starting with a ring bond is rejected", "C(1CC1)",
						"branch opened at position 1 must start with an atom, found ring bond 1 at position 2"),
				Arguments.of("branch holding only a bond is rejected", "C(=)C",
						"bond '=' at position 2 must be followed by an atom, found ')' at position 3"),
				Arguments.of("bond before a branch is rejected", "C=(O)C",
						"bond '=' at position 1 must be followed by an atom or ring bond, found '(' at position 2"),
				Arguments.of("doubled bond is rejected", "C==C",
						"bond '=' at position 2 directly follows bond '=' at position 1"),
				Arguments.of("trailing bond is rejected", "C=", "bond '=' at position 1 is not followed by an atom"),
				Arguments.of("leading bond is rejected", "=C",
						"SMILES must start with an atom, found '=' at position 0"),
				Arguments.of("leading dot is rejected", ".C",
						"SMILES must start with an atom, found '.' at position 0"),
				Arguments.of("trailing dot is rejected", "C.", "'.' at position 1 is not followed by an atom"),
				Arguments.of("doubled dot is rejected", "C..C", "'.' at position 2 directly follows '.' at position 1"),
				Arguments.of("bond after dot is rejected", "C.=C",
						"bond '=' at position 2 directly follows '.' at position 1"),
				Arguments.of("ring bond after dot is rejected", "C.1CC1",
						"'.' at position 1 must be followed by an atom, found ring bond 1 at position 2"),
				Arguments.of("leading ring bond is rejected", "1CC1",
						"SMILES must start with an atom, found '1' at position 0"),
				Arguments.of("unknown organic symbol is rejected", "CX", "unexpected 'X' at position 1"),
				Arguments.of("sodium without brackets is rejected", "Na",
						"element 'Na' at position 0 must be written in brackets, e.g. [Na]"),
				Arguments.of("iron without brackets is rejected", "OC(=O)CFe",
						"element 'Fe' at position 7 must be written in brackets, e.g. [Fe]"),
				Arguments.of("xenon without brackets is rejected", "Xe",
						"element 'Xe' at position 0 must be written in brackets, e.g. [Xe]"),
				Arguments.of("bare hydrogen is rejected", "H",
						"element 'H' at position 0 must be written in brackets, e.g. [H]"),
				Arguments.of("inner whitespace is rejected", "C C", "unexpected whitespace at position 1"),
				Arguments.of("trailing whitespace is rejected", "c1ccccc1 ", "unexpected whitespace at position 8"),
				Arguments.of("non-ASCII is rejected without echoing it", "C\u00e9",
						"unexpected character U+00E9 at position 1"),
				Arguments.of("unclosed bracket is rejected", "[C", "unclosed bracket atom '[' opened at position 0"),
				Arguments.of("stray close bracket is rejected", "C]",
						"unexpected ']' at position 1 without a matching '['"),
				Arguments.of("unknown element is rejected", "[Zz]", "unknown element symbol 'Zz' at position 1"),
				Arguments.of("unknown aromatic symbol is rejected", "[a]", "unknown aromatic symbol 'a' at position 1"),
				Arguments.of("empty bracket is rejected", "[]",
						"bracket atom opened at position 0 needs an element symbol, found ']' at position 1"),
				Arguments.of("junk inside bracket is rejected", "[Cx]",
						"unexpected 'x' at position 2 in bracket atom opened at position 0"),
				Arguments.of("long isotope is rejected", "[12345C]", "isotope at position 1 has more than 3 digits"),
				Arguments.of("charge above fifteen is rejected", "[C+16]",
						"charge '+16' at position 2 is out of range; the largest allowed is 15"),
				Arguments.of("tripled charge sign is rejected", "[Fe+++]",
						"unexpected '+' at position 5 in bracket atom opened at position 0"),
				Arguments.of("chirality class out of range is rejected", "[As@TB21](F)(F)(F)(F)F",
						"chirality '@TB21' at position 3 is invalid; expected @TB1 to @TB20"),
				Arguments.of("chirality class without number is rejected", "[C@TH](F)(Cl)(Br)I",
						"chirality '@TH' at position 2 is invalid; expected @TH1 to @TH2"),
				Arguments.of("chirality class with leading zero is rejected", "[Co@OH01](F)(F)(F)(F)(F)F",
						"chirality '@OH01' at position 3 is invalid; expected @OH1 to @OH30"),
				Arguments.of("atom class without number is rejected", "[C:]",
						"atom class ':' at position 2 must be followed by a number"),
				Arguments.of("percent ring bond needs two digits", "C%1CC",
						"ring bond '%' at position 1 must be followed by two digits"),
				Arguments.of("ring closing on its own atom is rejected", "C11",
						"ring bond 1 at position 2 closes on the same atom it was opened on at position 1"),
				Arguments.of("ring bonds with conflicting bonds are rejected", "C=1CC-1",
						"ring bond 1 at position 6 has bond '-' that conflicts with bond '=' where it was opened at position 2"));
	}

}
