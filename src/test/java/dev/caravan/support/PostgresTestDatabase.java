package dev.caravan.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The PostgreSQL 15 the PostgreSQL tests use: the tests' own local cluster prepared by
 * bin/prepare-postgres ({@code caravan_test}, port 5433), which {@link #stopServer()} really stops, or
 * the one named by CARAVAN_TEST_PG_URL / _USER / _PASSWORD (which the tests cannot stop).
 */
public final class PostgresTestDatabase {

    /** The cluster bin/prepare-postgres makes for the tests, as pg_ctlcluster names it. */
    private static final String CLUSTER = "caravan_test";

    public static final boolean LOCAL_CLUSTER = env("CARAVAN_TEST_PG_URL", null) == null;
    public static final String URL = env("CARAVAN_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5433/caravan_test");
    public static final String USER = env("CARAVAN_TEST_PG_USER", "caravan");
    public static final String PASSWORD = env("CARAVAN_TEST_PG_PASSWORD", "caravan");

    private PostgresTestDatabase() {
    }

    /** Points a test context at PostgreSQL; all classes that call this share one context. */
    public static void register(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> URL);
        registry.add("spring.datasource.username", () -> USER);
        registry.add("spring.datasource.password", () -> PASSWORD);
    }

    /** Stops the server the way an operator does (fast: open connections are terminated). */
    public static void stopServer() throws IOException, InterruptedException {
        pgCtlCluster("stop", "-m", "fast");
    }

    public static void startServer() throws IOException, InterruptedException {
        pgCtlCluster("start");
    }

    private static void pgCtlCluster(String action, String... options) throws IOException, InterruptedException {
        if (!LOCAL_CLUSTER) {
            throw new IllegalStateException("the PostgreSQL at CARAVAN_TEST_PG_URL is not the tests' to stop");
        }
        List<String> command = new ArrayList<>();
        if (!"root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("sudo", "-n")); // as bin/prepare-postgres does
        }
        command.addAll(List.of("pg_ctlcluster", version(), CLUSTER, action));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static String version() throws IOException {
        try (var versions = java.nio.file.Files.list(java.nio.file.Path.of("/etc/postgresql"))) {
            return versions.map(path -> path.getFileName().toString())
                    .filter(name -> java.nio.file.Files.isDirectory(java.nio.file.Path.of("/etc/postgresql", name, CLUSTER)))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no PostgreSQL cluster '" + CLUSTER
                            + "': run bin/prepare-postgres"));
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
