package dev.caravan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ProcessorDefinitionHelper;
import org.apache.camel.model.RouteConfigurationDefinition;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.SendDefinition;
import org.apache.camel.model.ToDynamicDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The route files in routes/ checked on their own, without Spring: each one parses with the YAML DSL,
 * names its routes, and sends only to {@code direct:} endpoints that some route file consumes.
 * <p>
 * Each file is loaded into a fresh {@link DefaultCamelContext} that is never started. Loading parses
 * the YAML and adds the route definitions to the context's model; beans ({@code ref: planner}),
 * {@code {{placeholders}}} and {@code routeConfigurationId}s are only resolved when routes are created
 * at start. So no dummy beans are needed (they would have to mirror every bean method the routes call
 * and would drift from the real ones), and the files are checked as written. Starting the routes with
 * their real beans is what the Spring integration tests (GatewayTest) do.
 */
class RouteFilesTest {

    private static final Path ROUTES = Path.of("routes");
    private static final String SUFFIX = ".camel.yaml";

    static List<Path> routeFiles() throws IOException {
        try (Stream<Path> files = Files.list(ROUTES)) {
            List<Path> routeFiles = files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
            assertThat(routeFiles).as("route files in %s", ROUTES.toAbsolutePath()).isNotEmpty();
            return routeFiles;
        }
    }

    @Test
    void keepsOnlyCamelYamlFilesInTheRoutesFolder() throws IOException {
        try (Stream<Path> files = Files.list(ROUTES)) {
            assertThat(files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()))
                    .as("routes/ holds only route files, which Camel loads by the pattern *.camel.yaml")
                    .allSatisfy(name -> assertThat(name).endsWith(SUFFIX));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void loadsWithTheYamlDsl(Path file) throws Exception {
        Loaded loaded = load(file);

        assertThat(loaded.routes().size() + loaded.configurations().size())
                .as("%s defines routes or route configurations", file).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void givesEveryRouteAndRouteConfigurationAnExplicitId(Path file) throws Exception {
        Loaded loaded = load(file);

        assertThat(loaded.routes()).as("routes of %s", file)
                .allSatisfy(route -> assertThat(route.hasCustomIdAssigned())
                        .as("route from %s has an id", route.getInput().getEndpointUri()).isTrue());
        assertThat(loaded.configurations()).as("route configurations of %s", file)
                .allSatisfy(configuration -> assertThat(configuration.getId()).isNotBlank());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void namesASingleRouteFileAfterItsRoute(Path file) throws Exception {
        List<RouteDefinition> routes = load(file).routes();

        if (routes.size() == 1) {
            String fileName = file.getFileName().toString();
            assertThat(routes.get(0).getRouteId()).isEqualTo(fileName.substring(0, fileName.length() - SUFFIX.length()));
        }
    }

    /** direct: endpoints that Java beans send to (the dispatcher's attempts, a finished stream's usage, Razorpay's calls). */
    private static final Set<String> SENT_TO_FROM_JAVA = Set.of("call-provider", "usage-tap",
            "create-razorpay-order", "fetch-razorpay-payment", "create-razorpay-refund");

    @Test
    void consumesEveryDirectEndpointThatARouteSendsTo() throws Exception {
        Set<String> sentTo = new TreeSet<>();
        Set<String> consumed = new HashSet<>();
        for (Path file : routeFiles()) {
            for (RouteDefinition route : load(file).routes()) {
                String from = route.getInput().getEndpointUri();
                if (from.startsWith("direct:")) {
                    consumed.add(directName(from));
                }
                sentUris(route).stream().filter(uri -> uri.startsWith("direct:")).map(RouteFilesTest::directName)
                        .forEach(sentTo::add);
            }
        }

        assertThat(sentTo).as("direct: endpoints the routes send to").contains("record-usage");
        assertThat(consumed).containsAll(sentTo).containsAll(SENT_TO_FROM_JAVA);
    }

    @Test
    void everyAnswersUsageGoesThroughTheOneUsageTap() throws Exception {
        Set<String> sendingToSettlement = new TreeSet<>();
        Set<String> tapping = new TreeSet<>();
        for (Path file : routeFiles()) {
            for (RouteDefinition route : load(file).routes()) {
                List<String> sent = sentUris(route).stream().filter(uri -> uri.startsWith("direct:")).map(RouteFilesTest::directName)
                        .toList();
                if (sent.contains("record-usage")) {
                    sendingToSettlement.add(route.getRouteId());
                }
                if (sent.contains("usage-tap")) {
                    tapping.add(route.getRouteId());
                }
            }
        }
        // settlement has one way in, the tap; the endpoints that answer a model tap it
        assertThat(sendingToSettlement).containsExactly("usage-tap");
        assertThat(tapping).containsExactlyInAnyOrder("answer-chat-completion", "handle-embeddings");
    }

    @Test
    void usesOnlyRouteConfigurationsThatAreDefined() throws Exception {
        Set<String> defined = new HashSet<>();
        Set<String> used = new TreeSet<>();
        for (Path file : routeFiles()) {
            Loaded loaded = load(file);
            loaded.configurations().forEach(configuration -> defined.add(configuration.getId()));
            loaded.routes().stream().map(RouteDefinition::getRouteConfigurationId).filter(Objects::nonNull)
                    .flatMap(ids -> Arrays.stream(ids.split(","))).map(String::trim).forEach(used::add);
        }

        assertThat(defined).containsAll(used);
    }

    @Test
    void failsToLoadABrokenRouteFile(@TempDir Path dir) throws IOException {
        Path broken = dir.resolve("broken.camel.yaml");
        Files.writeString(broken, """
                - route:
                    id: broken
                    from:
                      uri: direct:broken
                      steps:
                        - to: direct:next
                       - log: "misindented"
                """);

        assertThatThrownBy(() -> load(broken)).isInstanceOf(Exception.class)
                .hasStackTraceContaining("broken.camel.yaml").hasStackTraceContaining("while parsing");
    }

    @Test
    void failsToLoadARouteFileWithAnUnknownStep(@TempDir Path dir) throws IOException {
        Path unknownStep = dir.resolve("unknown-step.camel.yaml");
        Files.writeString(unknownStep, """
                - route:
                    id: unknown-step
                    from:
                      uri: direct:unknown-step
                      steps:
                        - sendTo: direct:next
                """);

        assertThatThrownBy(() -> load(unknownStep)).isInstanceOf(Exception.class).hasMessageContaining("sendTo");
    }

    @Test
    void noticesARouteWithoutAnId(@TempDir Path dir) throws Exception {
        // the id check above is only worth something if a missing id is seen as missing
        Path anonymous = dir.resolve("anonymous.camel.yaml");
        Files.writeString(anonymous, """
                - route:
                    from:
                      uri: direct:anonymous
                      steps:
                        - log: "no id"
                """);

        assertThat(load(anonymous).routes()).singleElement()
                .satisfies(route -> assertThat(route.hasCustomIdAssigned()).isFalse());
    }

    private record Loaded(List<RouteDefinition> routes, List<RouteConfigurationDefinition> configurations) {
    }

    private static Loaded load(Path file) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            PluginHelper.getRoutesLoader(context)
                    .loadRoutes(ResourceHelper.resolveMandatoryResource(context, "file:" + file.toAbsolutePath()));
            return new Loaded(List.copyOf(context.getRouteDefinitions()),
                    List.copyOf(context.getRouteConfigurationDefinitions()));
        }
    }

    /** {@code to:} steps, and {@code toD:} / {@code wireTap:} steps (which Camel models apart from {@code to:}). */
    private static List<String> sentUris(RouteDefinition route) {
        List<String> uris = new ArrayList<>();
        ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), SendDefinition.class)
                .forEach(send -> uris.add(send.getEndpointUri()));
        ProcessorDefinitionHelper.filterTypeInOutputs(route.getOutputs(), ToDynamicDefinition.class)
                .forEach(send -> uris.add(send.getUri()));
        return uris;
    }

    private static String directName(String uri) {
        String name = uri.startsWith("direct://") ? uri.substring("direct://".length()) : uri.substring("direct:".length());
        int query = name.indexOf('?');
        return query < 0 ? name : name.substring(0, query);
    }
}
