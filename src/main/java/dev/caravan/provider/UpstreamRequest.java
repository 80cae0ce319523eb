package dev.caravan.provider;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.caravan.catalog.Backend;

/** What to send upstream: the full URL, the headers (credentials included) and the body. */
public record UpstreamRequest(String url, Map<String, String> headers, byte[] body) {

    /**
     * A JSON POST: the provider's configured {@code headers}, then {@code Content-Type}, {@code Accept}
     * and the provider's key as {@code keyHeader: keyPrefix + key}, when a key is set.
     */
    public static UpstreamRequest json(String url, Backend backend, boolean stream, String keyHeader, String keyPrefix,
                                       byte[] body) {
        Map<String, String> headers = new LinkedHashMap<>(backend.provider().headers());
        headers.put("Content-Type", "application/json");
        headers.put("Accept", stream ? "text/event-stream" : "application/json");
        String apiKey = backend.provider().apiKey();
        if (apiKey != null && !apiKey.isBlank()) {
            headers.put(keyHeader, keyPrefix + apiKey);
        }
        return new UpstreamRequest(url, Collections.unmodifiableMap(headers), body);
    }

    /** This request with one more header, unless the provider's configuration already sets it. */
    public UpstreamRequest withDefaultHeader(String name, String value) {
        boolean configured = headers.keySet().stream().anyMatch(name::equalsIgnoreCase);
        if (configured) {
            return this;
        }
        Map<String, String> withDefault = new LinkedHashMap<>(headers);
        withDefault.put(name, value);
        return new UpstreamRequest(url, Collections.unmodifiableMap(withDefault), body);
    }
}
