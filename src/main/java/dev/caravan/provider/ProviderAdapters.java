package dev.caravan.provider;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

/** The adapters on the class path, keyed by protocol name. */
@Component
public class ProviderAdapters {

    private final Map<String, ProviderAdapter> byProtocol;

    public ProviderAdapters(List<ProviderAdapter> adapters) {
        this.byProtocol = adapters.stream().collect(Collectors.toUnmodifiableMap(ProviderAdapter::protocol,
                Function.identity()));
    }

    public ProviderAdapter forProtocol(String protocol) {
        ProviderAdapter adapter = byProtocol.get(protocol);
        if (adapter == null) {
            throw new IllegalArgumentException("No adapter for protocol '" + protocol + "'");
        }
        return adapter;
    }

    public Set<String> protocols() {
        return byProtocol.keySet();
    }
}
