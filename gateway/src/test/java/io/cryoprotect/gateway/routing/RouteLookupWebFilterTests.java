package io.cryoprotect.gateway.routing;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import io.cryoprotect.gateway.edge.ManagementPort;
import io.cryoprotect.gateway.errors.ProblemException;
import io.cryoprotect.gateway.errors.ProblemType;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.handler.AsyncPredicate;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The synchronous route lookup in front of the DispatcherHandler: a match goes straight
 * to SCG's filtering handler with the route set, as SCG's mapping would set it; whatever
 * the lookup cannot decide exactly as SCG does goes on to the DispatcherHandler (here:
 * the chain).
 */
class RouteLookupWebFilterTests {

	/** Route ids the filtering handler's chain ran for. */
	private final List<String> routed = new ArrayList<>();

	/** Requests passed on to the DispatcherHandler. */
	private final List<String> dispatched = new ArrayList<>();

	private final WebFilterChain dispatcher = exchange -> {
		dispatched.add(exchange.getRequest().getPath().value());
		return Mono.empty();
	};

	private final GlobalFilter recorder = (exchange, chain) -> {
		Route route = exchange.getRequiredAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		routed.add(route.getId());
		assertThat(exchange.<String>getAttribute(ServerWebExchangeUtils.GATEWAY_PREDICATE_ROUTE_ATTR)).isNull();
		return chain.filter(exchange);
	};

	private static RouteConfig.LoadedRoute route(String id, int order, Predicate<ServerWebExchange> test) {
		Route route = Route.async()
			.id(id)
			.uri(URI.create("http://127.0.0.1:9101"))
			.order(order)
			.asyncPredicate(test == null ? exchange -> Mono.just(true) : AsyncPredicate.from(test))
			.build();
		return new RouteConfig.LoadedRoute("routes.yml", id, null, null, route, test, null);
	}

	private static Predicate<ServerWebExchange> prefix(String prefix) {
		return exchange -> exchange.getRequest().getPath().value().startsWith(prefix);
	}

	private RouteLookupWebFilter filter(boolean routesFromFilesOnly, RouteConfig.LoadedRoute... routes) {
		RouteConfig config = new RouteConfig(List.of(routes));
		RouteFileRouteLocator locator = new RouteFileRouteLocator(() -> config);
		return new RouteLookupWebFilter(locator, new FilteringWebHandler(List.of(recorder), false),
				new ManagementPort(), routesFromFilesOnly, Duration.ofMillis(250));
	}

	private void send(RouteLookupWebFilter filter, MockServerHttpRequest request) {
		filter.filter(MockServerWebExchange.from(request), dispatcher).block();
	}

	@Test
	void theFirstMatchingRouteInRouteOrderGetsTheRequestWithoutTheDispatcher() {
		RouteLookupWebFilter filter = filter(true, route("wide", 10, prefix("/api/")),
				route("narrow", 0, prefix("/api/v1/")), route("other", 0, prefix("/rdkit/")));
		send(filter, MockServerHttpRequest.get("/api/v1/molecules").build());
		send(filter, MockServerHttpRequest.get("/api/v2/molecules").build());
		assertThat(routed).containsExactly("narrow", "wide");
		assertThat(dispatched).isEmpty();
	}

	@Test
	void noMatchIsLeftToTheDispatcherForItsNotFoundAnswer() {
		send(filter(true, route("api", 0, prefix("/api/"))), MockServerHttpRequest.get("/nowhere").build());
		assertThat(routed).isEmpty();
		assertThat(dispatched).containsExactly("/nowhere");
	}

	@Test
	void aRouteWithAnAsynchronousOnlyPredicateHandsTheLookupToScg() {
		RouteLookupWebFilter filter = filter(true, route("first", 0, prefix("/api/v1/")), route("body", 1, null),
				route("later", 2, prefix("/api/")));
		send(filter, MockServerHttpRequest.get("/api/v1/molecules").build());
		send(filter, MockServerHttpRequest.get("/api/v2/molecules").build());
		assertThat(routed).containsExactly("first");
		assertThat(dispatched).containsExactly("/api/v2/molecules");
	}

	@Test
	void corsRequestsAndPreflightsOfARouteWithoutACorsBlockAreRoutedLikeAnyRequest() {
		RouteLookupWebFilter filter = filter(true, route("api", 0, prefix("/api/")));
		send(filter,
				MockServerHttpRequest.get("http://gateway.test/api/v1/molecules")
					.header("Origin", "https://app.test")
					.build());
		send(filter,
				MockServerHttpRequest.options("http://gateway.test/api/v1/molecules")
					.header("Origin", "https://app.test")
					.header("Access-Control-Request-Method", "POST")
					.build());
		assertThat(routed).containsExactly("api", "api");
		assertThat(dispatched).isEmpty();
	}

	@Test
	void aFailingPredicateIsNoMatchAsInScg() {
		Predicate<ServerWebExchange> broken = exchange -> {
			throw new IllegalStateException("broken predicate");
		};
		send(filter(true, route("broken", 0, broken), route("api", 1, prefix("/api/"))),
				MockServerHttpRequest.get("/api/v1/molecules").build());
		assertThat(routed).containsExactly("api");
	}

	@Test
	void beforeTheFirstRouteSetLoadsEveryRequestIsNotReadyRatherThanNoRoute() {
		RouteLookupWebFilter filter = new RouteLookupWebFilter(new RouteFileRouteLocator(() -> null),
				new FilteringWebHandler(List.of(recorder), false), new ManagementPort(), true, Duration.ofMillis(1500));
		assertThatThrownBy(() -> send(filter, MockServerHttpRequest.get("/api/v1/molecules").build()))
			.isInstanceOfSatisfying(ProblemException.class, problem -> {
				assertThat(problem.problemType()).isEqualTo(ProblemType.NOT_READY);
				assertThat(problem.retryAfterSeconds()).isEqualTo(2);
			});
		assertThat(routed).isEmpty();
		assertThat(dispatched).isEmpty();
	}

	@Test
	void routesFromScgPropertiesLeaveEveryLookupToScg() {
		send(filter(false, route("api", 0, prefix("/api/"))), MockServerHttpRequest.get("/api/v1/molecules").build());
		assertThat(routed).isEmpty();
		assertThat(dispatched).containsExactly("/api/v1/molecules");
	}

}
