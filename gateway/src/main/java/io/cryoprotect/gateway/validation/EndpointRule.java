package io.cryoprotect.gateway.validation;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cryoprotect.gateway.configfile.PolicyMode;

import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.util.MultiValueMap;
import org.springframework.web.util.pattern.PathPattern;

/**
 * The compiled rules of one endpoint of validation.yml: which requests it covers (route,
 * method, public path pattern) and what it checks. Immutable and shared by every request.
 *
 * @param maxBodyBytes the request body cap; beyond it 413, in shadow mode too, since it
 * bounds memory
 * @param maxResponseBytes responses larger than this are passed through unchecked
 * @param responseSampleRate share of responses checked against the response schema
 * (0.0–1.0)
 */
record EndpointRule(String id, String route, HttpMethod method, PathPattern path, PolicyMode mode,
		SchemaCheck requestSchema, SchemaCheck responseSchema, ParameterRules query, ParameterRules pathParams,
		List<MediaType> contentTypes, long maxBodyBytes, long maxResponseBytes, double responseSampleRate,
		JsonBodyReader json, ValidationMetrics.EndpointMeters meters) {

	boolean readsBody() {
		return requestSchema != null;
	}

	/**
	 * Whether a request body of this type may be checked: an allowed type, and UTF-8 if a
	 * charset is named.
	 */
	boolean accepts(MediaType type) {
		if (type == null) {
			return false;
		}
		Charset charset = type.getCharset();
		if (charset != null && !StandardCharsets.UTF_8.equals(charset)) {
			return false;
		}
		for (MediaType allowed : contentTypes) {
			if (allowed.includes(type)) {
				return true;
			}
		}
		return false;
	}

	/** Violations of the query and path parameter rules; empty when there are none. */
	List<Violation> parameterViolations(MultiValueMap<String, String> queryParams, Map<String, String> pathVariables) {
		List<Violation> out = new ArrayList<>();
		if (query != null) {
			out.addAll(query.violations(queryParams));
		}
		if (pathParams != null) {
			Map<String, List<String>> values = new LinkedHashMap<>();
			pathVariables.forEach((name, value) -> values.put(name, List.of(value)));
			out.addAll(pathParams.violations(values));
		}
		return out;
	}

	/**
	 * Violations of the request schema by these body bytes, or the one reason they are
	 * not JSON.
	 */
	List<Violation> bodyViolations(byte[] body) {
		JsonBodyReader.Parsed parsed = json.read(body);
		return parsed.problem() != null ? List.of(parsed.problem()) : requestSchema.violations(parsed.node());
	}

	/** Violations of the response schema by a response body. */
	List<Violation> responseViolations(byte[] body) {
		JsonBodyReader.Parsed parsed = json.read(body);
		return parsed.problem() != null ? List.of(parsed.problem()) : responseSchema.violations(parsed.node());
	}

	@Override
	public String toString() {
		return id + "{" + route + " " + method + " " + path + " " + mode + "}";
	}

}
