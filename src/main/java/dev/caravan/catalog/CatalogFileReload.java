package dev.caravan.catalog;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import dev.caravan.provider.ProviderAdapters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Puts an edited {@code caravan.models-file} in effect while the gateway runs
 * ({@code caravan.catalog.reload}, on by default), or refuses it and keeps the catalog before it.
 *
 * <p>The file is bound as Spring bound it at start: its content takes the place the file had among
 * the environment's property sources, so the command line, environment variables and the test's own
 * properties still win over it, and {@code ${OPENAI_API_KEY:}} resolves against the same environment
 * (which Spring does not re-read: a provider key changed in the environment needs a restart). The
 * candidate is validated as at start ({@link Catalog}) and checked by every {@link CatalogCheck}
 * (the price notice); only then is it swapped in, whole ({@link CurrentCatalog}).
 *
 * <p>The file is compared by content, polled every {@code caravan.catalog.reload-interval}: a poll
 * costs one read of a small file, and a save within the same second as the last one is not missed,
 * as a modification time could miss it.
 */
@Component
public class CatalogFileReload {

    private static final Logger log = LoggerFactory.getLogger(CatalogFileReload.class);
    private static final String ATTACHED_SOURCE_NAME = "configurationProperties";

    /** What the last reload did; {@code error} is null when it was applied. */
    public record Outcome(Instant at, boolean applied, String error) {
    }

    private final CurrentCatalog current;
    private final ConfigurableEnvironment environment;
    private final ProviderAdapters adapters;
    private final List<CatalogCheck> checks;
    private final Clock clock;
    private final Counter failures;
    private final Path file;
    private final boolean enabled;
    private final Instant loadedAt;
    private byte[] lastSeen;
    private volatile Outcome lastOutcome;

    public CatalogFileReload(CurrentCatalog current, ConfigurableEnvironment environment, ProviderAdapters adapters,
                             List<CatalogCheck> checks, Clock clock, MeterRegistry registry,
                             @Value("${caravan.models-file:./config/models.yaml}") Path file,
                             @Value("${caravan.catalog.reload:true}") boolean enabled) {
        this.current = current;
        this.environment = environment;
        this.adapters = adapters;
        this.checks = checks;
        this.clock = clock;
        this.file = file.toAbsolutePath().normalize();
        this.enabled = enabled;
        this.loadedAt = clock.instant();
        this.failures = Counter.builder("caravan.catalog.reload.failures")
                .description("Edits of the models file refused: the catalog before each stayed in effect")
                .register(registry);
        this.lastSeen = read();
    }

    /** When the catalog in effect at start was loaded. */
    public Instant loadedAt() {
        return loadedAt;
    }

    /** The last reload tried since start, applied or refused; null when the file has not changed. */
    public Outcome lastOutcome() {
        return lastOutcome;
    }

    @Scheduled(fixedDelayString = "${caravan.catalog.reload-interval:2s}",
            initialDelayString = "${caravan.catalog.reload-interval:2s}")
    public synchronized void poll() {
        if (!enabled) {
            return;
        }
        byte[] content = read();
        if (content == null || Arrays.equals(content, lastSeen)) {
            return;
        }
        // remembered whatever the outcome: a refused edit is reported once, not at every poll
        lastSeen = content;
        try {
            Catalog candidate = new Catalog(bind(content), adapters);
            if (candidate.models().isEmpty()) {
                throw new IllegalStateException("caravan.models: the file lists no models (a file caught half-written?)");
            }
            checks.forEach(check -> check.check(candidate));
            current.replace(candidate);
            lastOutcome = new Outcome(clock.instant(), true, null);
            log.info("Catalog reloaded from {}: {} models, {} backends", file, candidate.models().size(),
                    candidate.backends().size());
        } catch (RuntimeException | IOException refused) {
            String reason = reason(refused);
            failures.increment();
            lastOutcome = new Outcome(clock.instant(), false, reason);
            log.error("Catalog reload refused, the catalog before it stays in effect: {}: {}", file,
                    reason.replace('\n', ' '));
        }
    }

    /** The file's content; null while it is missing (an editor between delete and rename). */
    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException missing) {
            return null;
        } catch (IOException e) {
            log.warn("Catalog file {} cannot be read: {}", file, e.toString());
            return null;
        }
    }

    /** The catalog properties of {@code content}, in the file's place among the environment's sources. */
    private CatalogProperties bind(byte[] content) throws IOException {
        List<PropertySource<?>> edited = new YamlPropertySourceLoader().load("Catalog reload of " + file,
                new FileSystemResource(file) {
                    @Override
                    public InputStream getInputStream() {
                        // what was compared, not what the file holds a moment later
                        return new ByteArrayInputStream(content);
                    }
                });
        MutablePropertySources sources = new MutablePropertySources();
        boolean placed = false;
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (ATTACHED_SOURCE_NAME.equals(source.getName())) {
                continue; // a view of all the others, the old file included
            }
            if (isFromFile(source)) {
                if (!placed) {
                    edited.forEach(sources::addLast);
                    placed = true;
                }
                continue;
            }
            sources.addLast(source);
        }
        if (!placed) {
            edited.forEach(sources::addLast);
        }
        Binder binder = new Binder(ConfigurationPropertySources.from(sources), new PropertySourcesPlaceholdersResolver(sources));
        return binder.bindOrCreate("caravan", Bindable.of(CatalogProperties.class));
    }

    /** Whether a property source was loaded from the models file (by the origin of its properties). */
    private boolean isFromFile(PropertySource<?> source) {
        if (!(source instanceof EnumerablePropertySource<?> enumerable) || !(source instanceof OriginLookup<?>)) {
            return false;
        }
        @SuppressWarnings("unchecked")
        OriginLookup<String> origins = (OriginLookup<String>) source;
        for (String name : enumerable.getPropertyNames()) {
            if (origins.getOrigin(name) instanceof TextResourceOrigin origin && origin.getResource() != null
                    && origin.getResource().isFile()) {
                try {
                    return origin.getResource().getFile().toPath().toAbsolutePath().normalize().equals(file);
                } catch (IOException e) {
                    return false;
                }
            }
        }
        return false;
    }

    /**
     * One line naming what is wrong. A YAML error gives its position, not the text around it (the
     * file may hold a header value that is a secret); a binding error its key and the reason.
     */
    private static String reason(Exception refused) {
        Throwable cause = refused;
        while (cause != null) {
            if (cause instanceof MarkedYAMLException yaml) {
                return "not valid YAML: " + yaml.getProblem()
                        + (yaml.getProblemMark() == null ? "" : " at line " + (yaml.getProblemMark().getLine() + 1)
                        + ", column " + (yaml.getProblemMark().getColumn() + 1));
            }
            cause = cause.getCause() == cause ? null : cause.getCause();
        }
        Throwable root = refused;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == refused || root.getMessage() == null ? String.valueOf(refused.getMessage())
                : refused.getMessage() + ": " + root.getMessage();
    }
}
