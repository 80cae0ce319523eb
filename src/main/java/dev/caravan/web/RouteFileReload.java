package dev.caravan.web;

import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.apache.camel.Route;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceSupport;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies an edited or added route file while the gateway runs, and never leaves the gateway without
 * the routes it had: Camel's own reload removes a file's routes before it builds the new ones, so an
 * edit that parses but cannot be built (a bean name mistyped, a step in the wrong place) would leave
 * the file's endpoints unserved. Here the last content that worked is kept per file, and put back
 * when a reload fails, with the reason logged. Only the changed file's routes are replaced.
 */
final class RouteFileReload extends RouteWatcherReloadStrategy {

    private static final Logger log = LoggerFactory.getLogger(RouteFileReload.class);

    /** The content each file had when its routes last loaded, by resource location. */
    private final Map<String, String> lastGood = new ConcurrentHashMap<>();
    private final Path directory;

    RouteFileReload(Path directory, String pattern) {
        super(directory.toString(), false);
        this.directory = directory;
        setPattern(pattern);
        setRemoveAllRoutes(false);
    }

    @Override
    protected void doStart() throws Exception {
        // what the gateway started with is the first good content of every file
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".camel.yaml")).toList()) {
                lastGood.put(key(location(file)), Files.readString(file));
            }
        }
        super.doStart();
    }

    @Override
    protected void onRouteReload(Collection<Resource> resources, boolean removeEverything) {
        String taken = idTakenByAnotherFile(resources);
        if (taken != null) {
            // Camel replaces routes by id: applying the file would silently remove another file's route
            log.error("Route files not applied, nothing changed: {}", taken);
            return;
        }
        Map<String, String> edited = new ConcurrentHashMap<>();
        for (Resource resource : resources) {
            try (InputStream in = resource.getInputStream()) {
                edited.put(key(resource.getLocation()), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException unreadable) {
                // a file removed or half-written: Camel reports it below
            }
        }
        try {
            super.onRouteReload(resources, removeEverything);
            lastGood.putAll(edited);
            log.info("Route files applied: {}", edited.keySet());
        } catch (RuntimeException failed) {
            Throwable cause = rootCause(failed);
            for (Resource resource : resources) {
                String previous = lastGood.get(key(resource.getLocation()));
                if (previous != null) {
                    super.onRouteReload(List.of(new Remembered(resource.getLocation(), previous)), false);
                }
            }
            log.error("Route files not applied, the routes they had before are running again: {}: {}",
                    edited.keySet(), cause.getMessage());
        }
    }

    /**
     * Why the files may not be applied: a route id of theirs that is the id of a running route loaded
     * from another file; null when there is none, or when a file does not even parse (Camel's reload
     * then refuses it, and the previous routes are put back).
     */
    private String idTakenByAnotherFile(Collection<Resource> resources) {
        for (Resource resource : resources) {
            List<RouteDefinition> routes;
            try (DefaultCamelContext scratch = new DefaultCamelContext()) {
                PluginHelper.getRoutesLoader(scratch).loadRoutes(resource);
                routes = List.copyOf(scratch.getRouteDefinitions());
            } catch (Exception unparsable) {
                continue;
            }
            for (RouteDefinition route : routes) {
                Route running = route.getRouteId() == null ? null : getCamelContext().getRoute(route.getRouteId());
                if (running != null && running.getSourceResource() != null
                        && !key(running.getSourceResource().getLocation()).equals(key(resource.getLocation()))) {
                    return resource.getLocation() + " has the route id '" + route.getRouteId() + "', which is the id of a route of "
                            + running.getSourceResource().getLocation() + ": give it another id";
                }
            }
        }
        return null;
    }

    /** One key per file, however its location is written ({@code file:routes/x}, {@code file:./routes/x}). */
    private static String key(String location) {
        String path = location.startsWith("file:") ? location.substring("file:".length()) : location;
        return Path.of(path).toAbsolutePath().normalize().toString();
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? failure : cause;
    }

    private static String location(Path file) {
        return "file:" + file.toString();
    }

    /**
     * A file's last good content, standing in for the file: the same location (so its routes replace
     * the file's), a real file URI (Camel's reload resolves it), the remembered bytes.
     */
    private static final class Remembered extends ResourceSupport {
        private final byte[] content;

        Remembered(String location, String content) {
            super("file", location);
            this.content = content.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public boolean exists() {
            return true;
        }

        @Override
        public URI getURI() {
            return Path.of(getLocation().substring("file:".length())).toAbsolutePath().toUri();
        }

        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(content);
        }
    }
}
