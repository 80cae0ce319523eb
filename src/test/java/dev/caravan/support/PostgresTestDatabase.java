package dev.caravan.support;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The PostgreSQL 15 the PostgreSQL tests use: the local server prepared by bin/prepare-postgres, or
 * the one named by CARAVAN_TEST_PG_URL / _USER / _PASSWORD.
 */
public final class PostgresTestDatabase {

    public static final String URL = env("CARAVAN_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/caravan_test");
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

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
