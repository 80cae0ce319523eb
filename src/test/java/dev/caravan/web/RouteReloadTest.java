package dev.caravan.web;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Predicate;
import java.util.stream.Stream;

import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route files edited and added while the gateway runs, as an operator does it, on a copy of routes/:
 * applied without a restart, and a broken edit refused with the routes before it still serving.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties =
        "spring.datasource.url=jdbc:h2:mem:route-reload-test;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH")
class RouteReloadTest extends GatewayTest {

    private static final Path ROUTES = Path.of("target/test-data/reload-routes-" + System.nanoTime());

    @DynamicPropertySource
    static void routesCopy(DynamicPropertyRegistry registry) throws IOException {
        Files.createDirectories(ROUTES);
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.toList()) {
                Files.copy(file, ROUTES.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        registry.add("caravan.routes.directory", ROUTES::toString);
    }

    @Test
    void anAddedOrEditedRouteFileIsServedWithoutARestartAndABrokenOneChangesNothing(CapturedOutput log) throws Exception {
        // a new endpoint, in a new file
        write("hello.camel.yaml", """
                - route:
                    id: hello
                    from:
                      uri: platform-http:/v1/hello
                      parameters:
                        httpMethodRestrict: GET
                      steps:
                        - setBody:
                            constant: "hello from a new route file"
                """);
        awaitResponse("/v1/hello", r -> r.statusCode() == 200 && r.body().equals("hello from a new route file"));

        // an edit of a shipped file: a header on every /v1/models answer
        String listModels = Files.readString(ROUTES.resolve("list-models.camel.yaml"));
        String withHeader = listModels.replace("        - setBody:\n", "        - setHeader:\n"
                + "            name: X-Edited\n            constant: \"yes\"\n        - setBody:\n");
        assertThat(withHeader).isNotEqualTo(listModels);
        write("list-models.camel.yaml", withHeader);
        awaitResponse("/v1/models", r -> "yes".equals(r.headers().firstValue("X-Edited").orElse(null)));

        // an edit that parses but cannot be built: refused, and /v1/models goes on as it was
        write("list-models.camel.yaml", withHeader.replace("ref: modelList", "ref: modelListMistyped"));
        awaitLog(log, "Route files not applied, the routes they had before are running again");
        assertThat(log.getOut()).contains("modelListMistyped");
        HttpResponse<String> models = get("/v1/models");
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.headers().firstValue("X-Edited")).hasValue("yes");
        assertThat(JSON.readTree(models.body()).path("data").isArray()).isTrue();

        // a new file reusing the id of another file's route: refused, the other file's route stays
        write("list-models-copy.camel.yaml", listModels.replace("platform-http:/v1/models", "platform-http:/v1/models-copy"));
        awaitLog(log, "has the route id 'list-models', which is the id of a route of");
        assertThat(get("/v1/models").headers().firstValue("X-Edited")).hasValue("yes");
        assertThat(get("/v1/models-copy").statusCode()).isEqualTo(404);

        // a file that is not even YAML: the same
        write("hello.camel.yaml", "- route: [ unclosed\n");
        Thread.sleep(3000);
        assertThat(get("/v1/hello").body()).isEqualTo("hello from a new route file");
    }

    /** As editors save: the whole new content appears at once. */
    private static void write(String name, String content) throws IOException {
        Path draft = ROUTES.resolveSibling(ROUTES.getFileName() + "-" + name + ".draft");
        Files.writeString(draft, content);
        Files.move(draft, ROUTES.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private void awaitResponse(String path, Predicate<HttpResponse<String>> done) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        HttpResponse<String> last = null;
        while (System.currentTimeMillis() < deadline) {
            last = get(path);
            if (done.test(last)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(path + " did not change within 20 s: " + (last == null ? "no answer" : last.statusCode()));
    }

    private static void awaitLog(CapturedOutput log, String text) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!log.getOut().contains(text) && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(log.getOut()).contains(text);
    }
}
