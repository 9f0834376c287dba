package io.cryoprotect.gateway.validation;

import java.util.regex.Pattern;

import com.networknt.schema.ExecutionContext;
import com.networknt.schema.format.Format;

/**
 * The {@code "format": "email"} keyword as JSON Schema defines it: an RFC 5321
 * {@code Mailbox}, with RFC 6531's UTF-8 allowed in both parts. It replaces the validator
 * library's check, which also demands a registered top-level domain and so refuses
 * addresses such as {@code a@b.c} that mail servers, and the upstreams behind the
 * gateway, accept. The gateway must never refuse what the upstream would take; whether a
 * domain exists is not a question of syntax.
 * <p>
 * Every quantifier is possessive and the alternatives never overlap, so a check is linear
 * in the length of the value.
 */
final class MailboxFormat implements Format {

	static final String NAME = "email";

	/**
	 * RFC 5321 {@code atext}, plus any non-ASCII character (RFC 6531
	 * {@code UTF8-non-ascii}).
	 */
	private static final String ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\x{80}-\\x{10FFFF}]";

	/** {@code Dot-string}: atoms joined by single dots. */
	private static final String DOT_STRING = ATEXT + "++(?:\\." + ATEXT + "++)*+";

	/** {@code Quoted-string}: {@code qtextSMTP} or a backslash pair, in double quotes. */
	private static final String QUOTED_STRING = "\"(?:[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E\\x{80}-\\x{10FFFF}]|\\\\[\\x20-\\x7E])*+\"";

	private static final String LET_DIG = "[A-Za-z0-9\\x{80}-\\x{10FFFF}]";

	/** {@code sub-domain}: letters and digits, hyphens only inside. */
	private static final String SUB_DOMAIN = LET_DIG + "++(?:-++" + LET_DIG + "++)*+";

	private static final String DOMAIN = SUB_DOMAIN + "(?:\\." + SUB_DOMAIN + ")*+";

	/**
	 * {@code address-literal}: an IPv4 or IPv6 address, or a general {@code tag:content},
	 * in brackets.
	 */
	private static final String ADDRESS_LITERAL = "\\[(?:[0-9]{1,3}+(?:\\.[0-9]{1,3}+){3}+|IPv6:[0-9A-Fa-f:.]++"
			+ "|[A-Za-z0-9]++(?:-++[A-Za-z0-9]++)*+:[\\x21-\\x5A\\x5E-\\x7E]++)\\]";

	private static final Pattern MAILBOX = Pattern
		.compile("(?:" + DOT_STRING + "|" + QUOTED_STRING + ")@(?:" + DOMAIN + "|" + ADDRESS_LITERAL + ")");

	@Override
	public String getName() {
		return NAME;
	}

	/**
	 * The library's own key, so the violation reads as before: "does not match the email
	 * pattern ...".
	 */
	@Override
	public String getMessageKey() {
		return "format.email";
	}

	@Override
	public boolean matches(ExecutionContext executionContext, String value) {
		return isMailbox(value);
	}

	static boolean isMailbox(String value) {
		return MAILBOX.matcher(value).matches();
	}

}
