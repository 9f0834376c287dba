package io.cryoprotect.gateway.chain;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import io.cryoprotect.gateway.chain.GatewayStage.Chain;
import io.cryoprotect.gateway.support.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotationAwareOrderComparator;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stage table is the chain: the running gateway's filters, sorted as WebFlux and
 * Spring Cloud Gateway sort them, are exactly {@link GatewayStage}'s stages in its order,
 * and the README's request-flow table is rendered from it.
 */
class GatewayStageTests extends GatewayIntegrationTest {

	private static final String BEGIN = "<!-- request-flow:begin (rendered from GatewayStage; GatewayStageTests checks it) -->";

	private static final String END = "<!-- request-flow:end -->";

	@Autowired
	private List<WebFilter> webFilters;

	@Autowired
	private List<GlobalFilter> globalFilters;

	@Autowired
	private RouteLocator routes;

	@Test
	void everyWebFilterIsAStageInTheTablesOrder() {
		List<Object> sorted = new ArrayList<>(webFilters);
		AnnotationAwareOrderComparator.sort(sorted);
		assertThat(sorted).extracting(GatewayStageTests::describe).containsExactlyElementsOf(stages(Chain.WEB));
	}

	@Test
	void everyRouteChainFilterIsAStageInTheTablesOrder() {
		Route route = routes.getRoutes().filter(r -> r.getId().equals("flask-api")).blockFirst();
		List<Object> chain = new ArrayList<>(globalFilters);
		// The route file's own filters (filters: in routes/*.yml) sit at their positions,
		// between the
		// response writer and the colour pick; the table names that band rather than each
		// filter.
		for (GatewayFilter filter : route.getFilters()) {
			if (!(filter instanceof OrderedGatewayFilter ordered && ordered.getOrder() > 0
					&& ordered.getOrder() < GatewayStage.COLOUR_PICK.order())) {
				chain.add(filter);
			}
		}
		AnnotationAwareOrderComparator.sort(chain);
		assertThat(chain).extracting(GatewayStageTests::describe).containsExactlyElementsOf(stages(Chain.ROUTE));
	}

	@Test
	void ordersStrictlyIncreaseWithinEachChainSoNoTwoStagesTie() {
		for (Chain chain : Chain.values()) {
			int[] orders = Arrays.stream(GatewayStage.values())
				.filter(s -> s.chain() == chain)
				.mapToInt(GatewayStage::order)
				.toArray();
			assertThat(orders).as(chain.name()).isSorted().doesNotHaveDuplicates();
		}
	}

	@Test
	void theReadmesRequestFlowIsTheTable() throws IOException {
		String readme = Files.readString(Path.of("..", "README.md"));
		int begin = readme.indexOf(BEGIN);
		int end = readme.indexOf(END);
		assertThat(begin).as("README.md has the request-flow markers").isNotNegative();
		assertThat(readme.substring(begin, end + END.length()))
			.as("README.md's request flow, rendered from GatewayStage")
			.isEqualTo(render());
	}

	private static String render() {
		StringBuilder table = new StringBuilder(BEGIN).append('\n')
			.append("| # | stage | chain | order | implemented by | what it does |\n|---|---|---|---|---|---|\n");
		int row = 1;
		for (GatewayStage stage : GatewayStage.values()) {
			String implementation = stage.implementation();
			String shown = stage.scg() ? "SCG's `" + implementation.substring(implementation.lastIndexOf('.') + 1) + "`"
					: "`" + implementation.substring("io.cryoprotect.gateway.".length()) + "`";
			table.append("| ")
				.append(row++)
				.append(" | `")
				.append(stage.name())
				.append("` | ")
				.append(stage.chain().name().toLowerCase())
				.append(" | ")
				.append(order(stage.order()))
				.append(" | ")
				.append(shown)
				.append(" | ")
				.append(stage.purpose())
				.append(" |\n");
		}
		return table.append(END).toString();
	}

	private static String order(int order) {
		long fromFirst = (long) order - Ordered.HIGHEST_PRECEDENCE;
		long fromLast = (long) Ordered.LOWEST_PRECEDENCE - order;
		if (fromFirst < 10_000) {
			return fromFirst == 0 ? "first" : "first + " + fromFirst;
		}
		if (fromLast < 10_000) {
			return fromLast == 0 ? "last" : "last − " + fromLast;
		}
		return Integer.toString(order);
	}

	private static List<String> stages(Chain chain) {
		return Arrays.stream(GatewayStage.values())
			.filter(stage -> stage.chain() == chain)
			.map(stage -> stage.implementation() + "@" + stage.order())
			.collect(Collectors.toList());
	}

	private static String describe(Object filter) {
		Object target = filter instanceof OrderedGatewayFilter ordered ? ordered.getDelegate() : filter;
		return target.getClass().getName() + "@" + ((Ordered) filter).getOrder();
	}

}
