package io.cryoprotect.gateway.smiles;

import java.util.Arrays;

/**
 * Linear-time OpenSMILES grammar check that rejects malformed molecule strings before
 * they cost an RDKit call.
 */
public final class SmilesSyntax {

	/** Longest accepted input; bounds the work done for a single request. */
	public static final int MAX_LENGTH = 10_000;

	private static final String ELEMENTS = "H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni"
			+ " Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm"
			+ " Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm"
			+ " Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og";

	// Indexed by elementIndex so a symbol lookup is one array read instead of a string
	// comparison.
	private static final boolean[] IS_ELEMENT = elementTable();

	private static final int RING_LABELS = 100;

	private static final int MAX_CHARGE = 15;

	private SmilesSyntax() {
	}

	/**
	 * Returns {@code null} when valid, otherwise a human message with the 0-based
	 * position, e.g. "unclosed ring bond 1 opened at position 3".
	 */
	public static String check(CharSequence smiles) {
		if (smiles == null) {
			return "SMILES is missing";
		}
		int length = smiles.length();
		if (length == 0) {
			return "SMILES is empty";
		}
		if (length > MAX_LENGTH) {
			return "SMILES is " + length + " characters long, more than the maximum of " + MAX_LENGTH;
		}
		return new Scan(smiles).run();
	}

	public static boolean isValid(CharSequence smiles) {
		return check(smiles) == null;
	}

	private static boolean[] elementTable() {
		boolean[] table = new boolean[26 * 27];
		for (String symbol : ELEMENTS.split(" ")) {
			table[elementIndex(symbol.charAt(0), (symbol.length() > 1) ? symbol.charAt(1) : 0)] = true;
		}
		return table;
	}

	private static int elementIndex(char upper, char lower) {
		return (upper - 'A') * 27 + ((lower == 0) ? 0 : lower - 'a' + 1);
	}

	private static boolean isDigit(char c) {
		return c >= '0' && c <= '9';
	}

	private static boolean isUpper(char c) {
		return c >= 'A' && c <= 'Z';
	}

	private static boolean isLower(char c) {
		return c >= 'a' && c <= 'z';
	}

	private static boolean isBond(char c) {
		return c == '-' || c == '=' || c == '#' || c == '$' || c == ':' || c == '/' || c == '\\';
	}

	// Directional bonds are single bonds; their relative direction across a ring closure
	// is stereo, not syntax.
	private static boolean sameBondOrder(char a, char b) {
		return a == b || (isSingle(a) && isSingle(b));
	}

	private static boolean isSingle(char c) {
		return c == '-' || c == '/' || c == '\\';
	}

	private static String describe(char bondOrDot) {
		return (bondOrDot == '.') ? "'.'" : "bond '" + bondOrDot + "'";
	}

	// Only printable ASCII is echoed so messages stay safe to embed in problem+json
	// responses.
	private static String show(char c) {
		if (Character.isWhitespace(c)) {
			return "whitespace";
		}
		if (c > ' ' && c <= '~') {
			return "'" + c + "'";
		}
		return String.format("character U+%04X", (int) c);
	}

	/**
	 * Single-use cursor over one input; holds the parse state so the static API stays
	 * allocation-light.
	 */
	private static final class Scan {

		private final CharSequence s;

		private final int n;

		private int pos;

		private int atoms;

		// Atom that the next bond, ring bond or branch attaches to; -1 before the first
		// atom.
		private int current = -1;

		// Bond symbol or '.' still waiting for the atom it leads to; 0 when none.
		private char pending;

		private int pendingAt;

		// True right after '(' or '.', where only an atom (after an optional bond inside
		// a branch) may follow.
		private boolean chainStart;

		private int depth;

		private int[] branchAtom;

		private int[] branchAt;

		// Allocated on the first ring bond so acyclic molecules never pay for the tables.
		private int[] ringAt;

		private int[] ringAtom;

		private char[] ringBond;

		private int openRings;

		Scan(CharSequence s) {
			this.s = s;
			this.n = s.length();
		}

		String run() {
			while (this.pos < this.n) {
				String error = step(this.s.charAt(this.pos));
				if (error != null) {
					return error;
				}
			}
			return finish();
		}

		private String step(char c) {
			if (c == '[') {
				return bracketAtom();
			}
			if (c == '(') {
				return openBranch();
			}
			if (c == ')') {
				return closeBranch();
			}
			if (c == '.' || isBond(c)) {
				return bond(c);
			}
			if (c == '%' || isDigit(c)) {
				return ringBond(c);
			}
			if (c == ']') {
				return "unexpected ']' at position " + this.pos + " without a matching '['";
			}
			return organicAtom(c);
		}

		private String notAtStart(char c) {
			return (this.current < 0) ? "SMILES must start with an atom, found " + show(c) + " at position " + this.pos
					: null;
		}

		private String pendingNeedsAtom(String found) {
			String needed = this.chainStart ? "an atom" : "an atom or ring bond";
			return describe(this.pending) + " at position " + this.pendingAt + " must be followed by " + needed
					+ ", found " + found + " at position " + this.pos;
		}

		private String branchNeedsAtom(String found) {
			return "branch opened at position " + this.branchAt[this.depth - 1] + " must start with an atom, found "
					+ found + " at position " + this.pos;
		}

		private String bond(char c) {
			String error = notAtStart(c);
			if (error != null) {
				return error;
			}
			if (this.pending != 0) {
				return describe(c) + " at position " + this.pos + " directly follows " + describe(this.pending)
						+ " at position " + this.pendingAt;
			}
			this.pending = c;
			this.pendingAt = this.pos;
			if (c == '.') {
				this.chainStart = true;
			}
			this.pos++;
			return null;
		}

		private String openBranch() {
			String error = notAtStart('(');
			if (error != null) {
				return error;
			}
			if (this.pending != 0) {
				return pendingNeedsAtom("'('");
			}
			if (this.chainStart) {
				return branchNeedsAtom("'('");
			}
			if (this.branchAt == null) {
				this.branchAt = new int[8];
				this.branchAtom = new int[8];
			}
			else if (this.depth == this.branchAt.length) {
				this.branchAt = Arrays.copyOf(this.branchAt, this.depth * 2);
				this.branchAtom = Arrays.copyOf(this.branchAtom, this.depth * 2);
			}
			this.branchAt[this.depth] = this.pos;
			this.branchAtom[this.depth] = this.current;
			this.depth++;
			this.chainStart = true;
			this.pos++;
			return null;
		}

		private String closeBranch() {
			String error = notAtStart(')');
			if (error != null) {
				return error;
			}
			if (this.depth == 0) {
				return "unmatched ')' at position " + this.pos;
			}
			if (this.pending != 0) {
				return pendingNeedsAtom("')'");
			}
			if (this.chainStart) {
				return "empty branch '()' at position " + this.branchAt[this.depth - 1];
			}
			this.depth--;
			this.current = this.branchAtom[this.depth];
			this.pos++;
			return null;
		}

		// Accepts a ring bond after a branch, e.g. C(C)1CC1: not OpenSMILES, but RDKit
		// and Open Babel parse it,
		// and this check must never block a string the backend would accept.
		private String ringBond(char c) {
			String error = notAtStart(c);
			if (error != null) {
				return error;
			}
			int at = this.pos;
			int label;
			int end;
			if (c == '%') {
				if (at + 2 >= this.n || !isDigit(this.s.charAt(at + 1)) || !isDigit(this.s.charAt(at + 2))) {
					return "ring bond '%' at position " + at + " must be followed by two digits";
				}
				label = (this.s.charAt(at + 1) - '0') * 10 + (this.s.charAt(at + 2) - '0');
				end = at + 3;
			}
			else {
				label = c - '0';
				end = at + 1;
			}
			if (this.pending == '.') {
				return pendingNeedsAtom("ring bond " + ringText(at));
			}
			if (this.chainStart) {
				return branchNeedsAtom("ring bond " + ringText(at));
			}
			if (this.ringAt == null) {
				this.ringAt = new int[RING_LABELS];
				this.ringAtom = new int[RING_LABELS];
				this.ringBond = new char[RING_LABELS];
				Arrays.fill(this.ringAt, -1);
			}
			int openedAt = this.ringAt[label];
			if (openedAt < 0) {
				this.ringAt[label] = at;
				this.ringAtom[label] = this.current;
				this.ringBond[label] = this.pending;
				this.openRings++;
			}
			else {
				if (this.ringAtom[label] == this.current) {
					return "ring bond " + ringText(at) + " at position " + at
							+ " closes on the same atom it was opened on at position " + openedAt;
				}
				char opened = this.ringBond[label];
				if (this.pending != 0 && opened != 0 && !sameBondOrder(this.pending, opened)) {
					return "ring bond " + ringText(at) + " at position " + at + " has bond '" + this.pending
							+ "' that conflicts with bond '" + opened + "' where it was opened at position " + openedAt;
				}
				this.ringAt[label] = -1;
				this.openRings--;
			}
			this.pending = 0;
			this.pos = end;
			return null;
		}

		private String ringText(int at) {
			return (this.s.charAt(at) == '%') ? this.s.subSequence(at, at + 3).toString()
					: String.valueOf(this.s.charAt(at));
		}

		private String organicAtom(char c) {
			int length;
			switch (c) {
				case 'B' -> length = (peek(this.pos + 1) == 'r') ? 2 : 1;
				case 'C' -> length = (peek(this.pos + 1) == 'l') ? 2 : 1;
				case 'N', 'O', 'P', 'S', 'F', 'I', 'b', 'c', 'n', 'o', 'p', 's', '*' -> length = 1;
				default -> {
					return unbracketedElement(c);
				}
			}
			return atom(this.pos + length);
		}

		// Names the element a caller most likely meant (Na, Fe, ...) instead of only the
		// stray letter; an
		// uppercase letter before this one was necessarily consumed as a one-letter
		// organic atom.
		private String unbracketedElement(char c) {
			int start = this.pos;
			int length = 0;
			if (isUpper(c)) {
				length = elementLength(start);
			}
			else if (isLower(c) && start > 0 && isUpper(this.s.charAt(start - 1))
					&& IS_ELEMENT[elementIndex(this.s.charAt(start - 1), c)]) {
				start--;
				length = 2;
			}
			if (length == 0) {
				return "unexpected " + show(c) + " at position " + this.pos;
			}
			String symbol = this.s.subSequence(start, start + length).toString();
			return "element '" + symbol + "' at position " + start + " must be written in brackets, e.g. [" + symbol
					+ "]";
		}

		private String atom(int end) {
			this.current = this.atoms++;
			this.pending = 0;
			this.chainStart = false;
			this.pos = end;
			return null;
		}

		private char peek(int at) {
			return (at < this.n) ? this.s.charAt(at) : 0;
		}

		private int elementLength(int at) {
			char upper = this.s.charAt(at);
			char next = peek(at + 1);
			if (isLower(next) && IS_ELEMENT[elementIndex(upper, next)]) {
				return 2;
			}
			return IS_ELEMENT[elementIndex(upper, (char) 0)] ? 1 : 0;
		}

		private int aromaticLength(int at) {
			char c = this.s.charAt(at);
			char next = peek(at + 1);
			if ((c == 's' && next == 'e') || (c == 'a' && next == 's') || (c == 't' && next == 'e')) {
				return 2;
			}
			return (c == 'b' || c == 'c' || c == 'n' || c == 'o' || c == 'p' || c == 's') ? 1 : 0;
		}

		// The letters a reader would take as the intended symbol, for the error message
		// only.
		private String symbolText(int at) {
			return this.s.subSequence(at, isLower(peek(at + 1)) ? at + 2 : at + 1).toString();
		}

		private String bracketAtom() {
			int open = this.pos;
			int p = open + 1;
			while (p < this.n && isDigit(this.s.charAt(p))) {
				p++;
			}
			if (p - open - 1 > 3) {
				return "isotope at position " + (open + 1) + " has more than 3 digits";
			}
			if (p >= this.n) {
				return unclosedBracket(open);
			}
			char c = this.s.charAt(p);
			int length;
			if (c == '*') {
				length = 1;
			}
			else if (isUpper(c)) {
				length = elementLength(p);
				if (length == 0) {
					return "unknown element symbol '" + symbolText(p) + "' at position " + p;
				}
			}
			else if (isLower(c)) {
				length = aromaticLength(p);
				if (length == 0) {
					return "unknown aromatic symbol '" + symbolText(p) + "' at position " + p;
				}
			}
			else {
				return "bracket atom opened at position " + open + " needs an element symbol, found " + show(c)
						+ " at position " + p;
			}
			p += length;
			p = chirality(p);
			if (p < 0) {
				return chiralityError(-p - 1);
			}
			if (peek(p) == 'H') {
				p++;
				if (p < this.n && isDigit(this.s.charAt(p))) {
					p++;
				}
			}
			p = charge(p);
			if (p < 0) {
				int at = -p - 1;
				return "charge '" + this.s.subSequence(at, digitsEnd(at + 1)) + "' at position " + at
						+ " is out of range; the largest allowed is " + MAX_CHARGE;
			}
			if (peek(p) == ':') {
				if (!isDigit(peek(p + 1))) {
					return "atom class ':' at position " + p + " must be followed by a number";
				}
				p = digitsEnd(p + 1);
			}
			if (p >= this.n) {
				return unclosedBracket(open);
			}
			if (this.s.charAt(p) != ']') {
				return "unexpected " + show(this.s.charAt(p)) + " at position " + p
						+ " in bracket atom opened at position " + open;
			}
			return atom(p + 1);
		}

		private String unclosedBracket(int open) {
			return "unclosed bracket atom '[' opened at position " + open;
		}

		private int digitsEnd(int at) {
			int p = at;
			while (p < this.n && isDigit(this.s.charAt(p))) {
				p++;
			}
			return p;
		}

		/**
		 * Returns the position after the chirality, or {@code -(start + 1)} when it is
		 * malformed.
		 */
		private int chirality(int at) {
			if (peek(at) != '@') {
				return at;
			}
			if (peek(at + 1) == '@') {
				return at + 2;
			}
			int max = chiralClassMax(peek(at + 1), peek(at + 2));
			if (max == 0) {
				return at + 1;
			}
			int start = at + 3;
			int end = digitsEnd(start);
			if (end == start || end - start > 2 || this.s.charAt(start) == '0') {
				return -at - 1;
			}
			int value = Integer.parseInt(this.s, start, end, 10);
			return (value <= max) ? end : -at - 1;
		}

		private String chiralityError(int at) {
			String chiralClass = this.s.subSequence(at + 1, at + 3).toString();
			int max = chiralClassMax(chiralClass.charAt(0), chiralClass.charAt(1));
			return "chirality '" + this.s.subSequence(at, digitsEnd(at + 3)) + "' at position " + at
					+ " is invalid; expected @" + chiralClass + "1 to @" + chiralClass + max;
		}

		private static int chiralClassMax(char first, char second) {
			if (first == 'T' && second == 'H' || first == 'A' && second == 'L') {
				return 2;
			}
			if (first == 'S' && second == 'P') {
				return 3;
			}
			if (first == 'T' && second == 'B') {
				return 20;
			}
			if (first == 'O' && second == 'H') {
				return 30;
			}
			return 0;
		}

		/**
		 * Returns the position after the charge, or {@code -(start + 1)} when its
		 * magnitude is out of range.
		 */
		private int charge(int at) {
			char sign = peek(at);
			if (sign != '+' && sign != '-') {
				return at;
			}
			if (peek(at + 1) == sign) {
				return at + 2;
			}
			int start = at + 1;
			int end = digitsEnd(start);
			if (end == start) {
				return end;
			}
			if (end - start > 2 || Integer.parseInt(this.s, start, end, 10) > MAX_CHARGE) {
				return -at - 1;
			}
			return end;
		}

		private String finish() {
			if (this.pending != 0) {
				return describe(this.pending) + " at position " + this.pendingAt + " is not followed by an atom";
			}
			if (this.depth > 0) {
				return "unclosed branch '(' opened at position " + this.branchAt[0];
			}
			if (this.openRings > 0) {
				int first = this.n;
				for (int at : this.ringAt) {
					if (at >= 0 && at < first) {
						first = at;
					}
				}
				return "unclosed ring bond " + ringText(first) + " opened at position " + first;
			}
			return null;
		}

	}

}
