package io.cryoprotect.gateway.validation;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code "format": "email"}: every RFC 5321 Mailbox passes, whatever its top-level
 * domain; other text fails.
 */
class MailboxFormatTests {

	@Test
	void acceptsWhatRfc5321Allows() {
		assertThat(new String[] { "a@b.c", "a@b", "chemist@cryoprotect.io", "first.last+tag@sub.example.org",
				"o'brien@example.ie", "x!#$%&'*+-/=?^_`{|}~@example.org", "\"john doe\"@example.org",
				"\"a\\\"b\"@example.org", "\"@\"@example.org", "user@[192.0.2.1]", "user@[IPv6:2001:db8::1]",
				"user@xn--bcher-kva.example", "jürgen@bücher.de", "a@1.2", "a@a-b--c.d" })
			.allMatch(MailboxFormat::isMailbox);
	}

	@Test
	void refusesWhatIsNoMailbox() {
		assertThat(new String[] { "not-an-email", "", "@example.org", "a@", "a@@b.c", "a.@b.c", ".a@b.c", "a..b@c.d",
				"a@b..c", "a@.b", "a@b.", "a@-b.c", "a@b-.c", "a b@c.d", "a@b c.d", "\"unclosed@b.c", "a@[192.0.2.1",
				"a\u0000@b.c" })
			.noneMatch(MailboxFormat::isMailbox);
	}

	@Test
	void aLongHostileValueIsCheckedInLinearTime() {
		// Backtracking over a label of hyphens and letters would take minutes; possessive
		// matching takes microseconds.
		String hostile = "a@" + "a-".repeat(50_000) + "!";
		assertThat(MailboxFormat.isMailbox(hostile)).isFalse();
		assertThat(MailboxFormat.isMailbox("a".repeat(50_000) + "@" + "b.".repeat(25_000) + "c")).isTrue();
	}

}
