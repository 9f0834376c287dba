package io.cryoprotect.gateway.proxy;

import java.time.Duration;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.netty.NettyPipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The per-connection response timeout on an embedded channel with a mock clock: the HTTP
 * objects a codec would pass are written and read directly.
 */
class ResponseReadTimeoutTests {

	private final MockTicker clock = Ticker.newMockTicker();

	private final EmbeddedChannel channel = channel();

	private EmbeddedChannel channel() {
		EmbeddedChannel ch = EmbeddedChannel.builder().ticker(clock).build();
		ch.pipeline().addLast(NettyPipeline.HttpCodec, new ChannelDuplexHandler());
		ResponseReadTimeout.install(ch);
		return ch;
	}

	@AfterEach
	void close() {
		channel.finishAndReleaseAll();
	}

	@Test
	void aResponseThatNeverStartsTimesOutAndClosesTheConnection() {
		send(Duration.ofSeconds(1));
		advance(999);
		assertThat(channel.isOpen()).isTrue();
		advance(1);
		assertTimedOut();
	}

	@Test
	void everyReadRestartsTheWaitAndASilenceMidBodyTimesOut() {
		send(Duration.ofSeconds(1));
		advance(800);
		read(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
		advance(800);
		read(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[] { 1 })));
		advance(800);
		assertThat(channel.isOpen()).as("no silence of 1 s yet").isTrue();
		advance(200);
		assertTimedOut();
	}

	@Test
	void aCompleteResponseDisarmsItAndTheIdleConnectionStaysOpen() {
		send(Duration.ofSeconds(1));
		read(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
		read(LastHttpContent.EMPTY_LAST_CONTENT);
		advance(60_000);
		channel.checkException();
		assertThat(channel.isOpen()).isTrue();
	}

	@Test
	void anInterimResponseDoesNotEndTheWaitForTheRealOne() {
		send(Duration.ofSeconds(1));
		read(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
		advance(999);
		assertThat(channel.isOpen()).isTrue();
		advance(1);
		assertTimedOut();
	}

	@Test
	void theWaitStartsOnceTheRequestBodyHasBeenWritten() {
		ResponseReadTimeout.expect(channel, Duration.ofSeconds(1));
		channel.writeOutbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload"));
		advance(5_000);
		assertThat(channel.isOpen()).as("a slow upload is not the upstream's silence").isTrue();
		channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
		advance(1_000);
		assertTimedOut();
	}

	@Test
	void aShorterTimeoutAfterALongerOneOnTheSameConnectionStillFiresOnTime() {
		send(Duration.ofSeconds(30));
		read(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
		read(LastHttpContent.EMPTY_LAST_CONTENT);
		send(Duration.ofMillis(500));
		advance(500);
		assertTimedOut();
	}

	@Test
	void aConnectionKeptBusyKeepsOneTimerThatFollowsEachRequest() {
		for (int i = 0; i < 10; i++) {
			send(Duration.ofSeconds(1));
			advance(700);
			read(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
			read(LastHttpContent.EMPTY_LAST_CONTENT);
		}
		channel.checkException();
		assertThat(channel.isOpen()).isTrue();
		send(Duration.ofSeconds(1));
		advance(1_000);
		assertTimedOut();
	}

	private void send(Duration timeout) {
		ResponseReadTimeout.expect(channel, timeout);
		channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/molecules"));
		channel.releaseOutbound();
	}

	private void read(Object message) {
		channel.writeInbound(message);
		channel.releaseInbound();
	}

	private void advance(long millis) {
		clock.advanceMillis(millis);
		channel.runScheduledPendingTasks();
	}

	private void assertTimedOut() {
		assertThatThrownBy(channel::checkException).isSameAs(ReadTimeoutException.INSTANCE);
		assertThat(channel.isOpen()).isFalse();
	}

}
