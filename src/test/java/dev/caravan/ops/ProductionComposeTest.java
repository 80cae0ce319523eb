package dev.caravan.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production compose (docker/compose.yaml), its Prometheus, nginx and Grafana files, read as the
 * tools read them (no Docker engine here): both gateways share one database, one Kafka and one session
 * key; Prometheus scrapes both with the metrics token; every metric the dashboard queries is one the
 * gateway exports.
 *
 * <p>Exported names come from two places, on purpose. The gateway's own ({@code caravan_*}) are derived
 * from the meters registered in src/main/java, so a renamed or removed meter fails here even when a
 * scrape would not have shown it (a meter such as {@code caravan_upstream_skipped_total} appears only
 * after its event). The names of Spring Boot and the JVM ({@code http_server_requests_*},
 * {@code hikaricp_*}, {@code jvm_*}) are in no source of ours: they come from a real scrape checked in
 * as src/test/resources/ops/scraped-metric-names.txt, whose {@code caravan_*} names the derivation must
 * also produce (so the derivation is checked against what Prometheus really saw).
 */
class ProductionComposeTest {

    private static final Path DOCKER = Path.of("docker");
    private static final List<String> GATEWAYS = List.of("gateway-1", "gateway-2");

    @Test
    void bothGatewaysShareTheDatabaseKafkaAndSessionKeyAndTakeSecretsFromTheEnvironment() throws IOException {
        Map<String, Object> services = map(yaml("compose.yaml").get("services"));
        Map<String, Object> first = map(map(services.get("gateway-1")).get("environment"));
        Map<String, Object> second = map(map(services.get("gateway-2")).get("environment"));

        assertThat(second).isEqualTo(first);
        assertThat(first).containsKeys("SPRING_DATASOURCE_URL", "SPRING_DATASOURCE_USERNAME", "SPRING_DATASOURCE_PASSWORD",
                "CARAVAN_KAFKA_BOOTSTRAP_SERVERS", "CARAVAN_SESSION_KEY", "CARAVAN_PUBLIC_URL", "CARAVAN_METRICS_TOKEN",
                "CARAVAN_ADMIN_TOKEN", "SERVER_FORWARD_HEADERS_STRATEGY");
        assertThat(String.valueOf(first.get("SPRING_DATASOURCE_URL"))).startsWith("jdbc:postgresql://postgres:5432/");
        assertThat(services).containsKeys("postgres", "kafka", "prometheus", "grafana", "loadbalancer");

        Map<String, Object> kafka = map(map(services.get("kafka")).get("environment"));
        assertThat(String.valueOf(kafka.get("KAFKA_PROCESS_ROLES"))).contains("controller"); // KRaft, no ZooKeeper
        assertThat(String.valueOf(kafka.get("KAFKA_ADVERTISED_LISTENERS")))
                .contains("//" + first.get("CARAVAN_KAFKA_BOOTSTRAP_SERVERS"));

        for (Map.Entry<String, Object> variable : first.entrySet()) {
            if (variable.getKey().matches(".*(TOKEN|PASSWORD|SECRET|_KEY).*")) {
                assertThat(String.valueOf(variable.getValue())).as(variable.getKey() + " comes from the environment")
                        .matches("\\$\\{" + variable.getKey().replace("SPRING_DATASOURCE_", "POSTGRES_") + ":[-?].*\\}");
            }
        }
        // the example environment file names every variable the compose requires, with no value filled in
        String example = Files.readString(DOCKER.resolve(".env.example"));
        Matcher required = Pattern.compile("\\$\\{(\\w+):\\?").matcher(Files.readString(DOCKER.resolve("compose.yaml")));
        while (required.find()) {
            assertThat(example).contains("\n" + required.group(1) + "=\n");
        }
    }

    @Test
    void prometheusScrapesBothGatewaysWithTheMetricsTokenAndNginxServesBoth() throws IOException {
        Map<String, Object> job = map(list(yaml("prometheus/prometheus.yml").get("scrape_configs")).get(0));
        assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
        Map<String, Object> authorization = map(job.get("authorization"));
        assertThat(authorization.get("type")).isEqualTo("Bearer");
        List<Object> targets = list(map(list(job.get("static_configs")).get(0)).get("targets"));
        assertThat(targets).containsExactlyInAnyOrder("gateway-1:8080", "gateway-2:8080");

        Map<String, Object> prometheus = map(map(yaml("compose.yaml").get("services")).get("prometheus"));
        assertThat(list(prometheus.get("volumes"))).anySatisfy(volume ->
                assertThat(String.valueOf(volume)).endsWith(":" + authorization.get("credentials_file") + ":ro"));

        String nginx = Files.readString(DOCKER.resolve("nginx/nginx.conf"));
        for (String gateway : GATEWAYS) {
            assertThat(nginx).contains("server " + gateway + ":8080");
        }
        assertThat(nginx).contains("proxy_buffering off;");
    }

    @Test
    void grafanaLoadsTheDashboardWhoseQueriesUseOnlyExportedMetrics() throws IOException {
        Map<String, Object> datasource = map(list(yaml("grafana/provisioning/datasources/prometheus.yaml")
                .get("datasources")).get(0));
        assertThat(datasource.get("url")).isEqualTo("http://prometheus:9090");
        Map<String, Object> provider = map(list(yaml("grafana/provisioning/dashboards/caravan.yaml").get("providers")).get(0));
        Map<String, Object> grafana = map(map(yaml("compose.yaml").get("services")).get("grafana"));
        assertThat(list(grafana.get("volumes"))).contains("./grafana/dashboards:" + map(provider.get("options")).get("path") + ":ro");

        JsonNode dashboard = new ObjectMapper().readTree(DOCKER.resolve("grafana/dashboards/caravan.json").toFile());
        Set<String> exported = exportedNames();
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                    .isEqualTo(datasource.get("uid"));
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        assertThat(expressions).hasSizeGreaterThan(15);
        for (String expression : expressions) {
            assertThat(metricNames(expression)).as(expression).isNotEmpty().isSubsetOf(exported);
        }
        String titles = dashboard.path("panels").findValuesAsText("title").toString().toLowerCase();
        assertThat(titles).contains("requests", "latency", "spend per model", "circuit breakers", "free-tier quota",
                "settlement lag", "outbox backlog");
    }

    @Test
    void theGatewaysMetricsDerivedFromTheCodeMatchARealScrape() throws IOException {
        Set<String> scraped = scrapedNames();
        Set<String> derived = namesRegisteredInCode();
        Set<String> scrapedOfOurs = new TreeSet<>(scraped);
        scrapedOfOurs.removeIf(name -> !name.startsWith("caravan_"));
        assertThat(derived).containsAll(scrapedOfOurs);
    }

    @Test
    void readsTheMetricNamesOfAnExpressionAndNothingElse() {
        assertThat(metricNames("sum by (model, type) (rate(caravan_tokens_total{state!=\"closed\"}[$__rate_interval])) * 3600"
                + " / max without (instance) (caravan_requests_seconds_max offset 5m) or on (backend) up"))
                .containsExactlyInAnyOrder("caravan_tokens_total", "caravan_requests_seconds_max", "up");
    }

    private static final Pattern METER = Pattern.compile(
            "(Counter|Gauge|Timer)\\.builder\\(\\s*\"(caravan\\.[^\"]+)\"(.*?)\\.register\\(", Pattern.DOTALL);
    private static final Pattern BASE_UNIT = Pattern.compile("\\.baseUnit\\(\"(\\w+)\"\\)");

    /** The Prometheus names of the meters src/main/java registers, by Micrometer's naming. */
    private static Set<String> namesRegisteredInCode() throws IOException {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(path -> path.toString().endsWith(".java")).toList()) {
                Matcher meter = METER.matcher(Files.readString(source));
                while (meter.find()) {
                    String base = meter.group(2).replace('.', '_');
                    Matcher unit = BASE_UNIT.matcher(meter.group(3));
                    String withUnit = unit.find() ? base + "_" + unit.group(1) : base;
                    switch (meter.group(1)) {
                        case "Counter" -> names.add(withUnit + "_total");
                        case "Gauge" -> names.add(withUnit);
                        default -> names.addAll(List.of(base + "_seconds_count", base + "_seconds_sum", base + "_seconds_max"));
                    }
                }
            }
        }
        return names;
    }

    private static Set<String> scrapedNames() throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of("src/test/resources/ops/scraped-metric-names.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.trim());
            }
        }
        return names;
    }

    private static Set<String> exportedNames() throws IOException {
        Set<String> names = scrapedNames();
        names.addAll(namesRegisteredInCode());
        names.add("up"); // made by Prometheus itself for every target it scrapes
        return names;
    }

    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "and", "or", "unless", "offset");

    /** The metric names of a PromQL expression: identifiers that are not functions, labels or keywords. */
    static Set<String> metricNames(String expression) {
        String bare = expression
                .replaceAll("\"[^\"]*\"", "")              // label values
                .replaceAll("\\{[^}]*}", "")               // label matchers
                .replaceAll("\\[[^]]*]", "")               // range selectors ($__rate_interval...)
                .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", "") // grouping labels
                .replaceAll("\\b\\d[\\w.]*", "");        // numbers and durations (offset 5m)
        Set<String> names = new TreeSet<>();
        Matcher identifier = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\s*\\()?").matcher(bare);
        while (identifier.find()) {
            String word = identifier.group().replaceAll("[\\s(]", "");
            if (identifier.group(1) == null && !PROMQL_WORDS.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }

    private static Map<String, Object> yaml(String file) throws IOException {
        return new Yaml().load(Files.readString(DOCKER.resolve(file)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }
}
