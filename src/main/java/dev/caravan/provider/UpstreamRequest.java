package dev.caravan.provider;

import java.util.Map;

/** What to send upstream: the full URL, the headers (credentials included) and the body. */
public record UpstreamRequest(String url, Map<String, String> headers, byte[] body) {
}
