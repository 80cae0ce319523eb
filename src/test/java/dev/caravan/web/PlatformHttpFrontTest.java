package dev.caravan.web;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import dev.caravan.support.GatewayTest;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

class PlatformHttpFrontTest extends GatewayTest {

    @Autowired
    CamelContext camel;

    @AfterEach
    void removeTestRoutes() throws Exception {
        for (String id : List.of("test-front-get", "test-front-post")) {
            if (camel.getRoute(id) != null) {
                camel.getRouteController().stopRoute(id);
                camel.removeRoute(id);
            }
        }
    }

    @Test
    void runsARouteOnTheThreadTheRequestArrivedOn() throws Exception {
        addRoute("test-front-get", "platform-http:/test/front/where?httpMethodRestrict=GET");

        HttpResponse<String> response = get("/test/front/where");

        assertThat(response.statusCode()).isEqualTo(200);
        // Tomcat's request threads (virtual, spring.threads.virtual.enabled). Through Spring MVC the route
        // ran on the task executor's ("task-N") while Tomcat's thread returned, and a second dispatch
        // wrote the result.
        assertThat(response.body()).startsWith("test-front-get tomcat-handler-").endsWith(" virtual");
    }

    @Test
    void leavesAPathWithParametersToSpringMvc() throws Exception {
        addRoute("test-front-get", "platform-http:/test/front/items/{id}?httpMethodRestrict=GET");

        HttpResponse<String> response = get("/test/front/items/42");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("test-front-get task-");
    }

    @Test
    void servesEachOfTwoRoutesOnOnePathByItsMethod() throws Exception {
        addRoute("test-front-get", "platform-http:/test/front/both?httpMethodRestrict=GET");
        addRoute("test-front-post", "platform-http:/test/front/both?httpMethodRestrict=POST");

        HttpResponse<String> got = get("/test/front/both");
        HttpResponse<String> posted = post("/test/front/both", "{}");

        assertThat(got.body()).startsWith("test-front-get tomcat-handler-");
        assertThat(posted.body()).startsWith("test-front-post tomcat-handler-");
    }

    @Test
    void prefersTheRouteRestrictedToTheMethodOverOneThatTakesAny() throws Exception {
        addRoute("test-front-get", "platform-http:/test/front/any");
        addRoute("test-front-post", "platform-http:/test/front/any?httpMethodRestrict=POST");

        assertThat(post("/test/front/any", "{}").body()).startsWith("test-front-post ");
        assertThat(get("/test/front/any").body()).startsWith("test-front-get ");
    }

    @Test
    void leavesAMethodTheRouteDoesNotTakeToSpringMvcWhichRefusesIt() throws Exception {
        HttpResponse<String> response = get("/v1/chat/completions", apiKey());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(json(response).path("error").path("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void tagsTheRequestMetricWithTheRoutePath() throws Exception {
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(url("/v1/models"))).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        assertThat(metrics())
                .containsPattern("http_server_requests_seconds_count\\{[^}]*method=\"GET\"[^}]*uri=\"/v1/models\"");
    }

    /** A route that answers with its id and the name and kind of the thread it ran on. */
    private void addRoute(String id, String from) throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId(id)
                        .removeHeaders("*")
                        .process(exchange -> exchange.getMessage().setBody(id + " " + Thread.currentThread().getName()
                                + (Thread.currentThread().isVirtual() ? " virtual" : " platform")));
            }
        });
    }
}
