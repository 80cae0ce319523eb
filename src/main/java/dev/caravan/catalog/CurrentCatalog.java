package dev.caravan.catalog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import dev.caravan.provider.ProviderAdapters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The catalog in effect: the one built at start, then each one a reload of {@code config/models.yaml}
 * accepted ({@link CatalogFileReload}). A {@link Catalog} never changes; a reload swaps the whole of
 * it in one volatile write, so whoever takes {@link #get()} once sees one catalog, never half of two.
 * A step that reads the catalog several times for one request (the planner) takes it once.
 */
@Component
public class CurrentCatalog {

    private static final Logger log = LoggerFactory.getLogger(CurrentCatalog.class);

    private final List<Consumer<Catalog>> onReplace = new CopyOnWriteArrayList<>();
    private volatile Catalog catalog;

    @Autowired
    public CurrentCatalog(CatalogProperties properties, ProviderAdapters adapters) {
        this(new Catalog(properties, adapters));
    }

    public CurrentCatalog(Catalog catalog) {
        this.catalog = catalog;
    }

    public Catalog get() {
        return catalog;
    }

    /**
     * Puts a validated catalog in effect, then tells those who keep state per backend (breakers,
     * gauges), in the order they asked. A listener that fails does not undo the swap: the catalog is
     * what requests need, the rest follows.
     */
    public void replace(Catalog next) {
        catalog = next;
        for (Consumer<Catalog> listener : onReplace) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                log.warn("After a catalog reload, {} failed to follow it: {}", listener, e.toString());
            }
        }
    }

    /** {@code listener} is called with every catalog put in effect after this call. */
    public void onReplace(Consumer<Catalog> listener) {
        onReplace.add(listener);
    }
}
