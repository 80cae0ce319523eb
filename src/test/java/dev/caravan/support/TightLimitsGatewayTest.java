package dev.caravan.support;

import org.springframework.test.context.TestPropertySource;

/**
 * Base of the tests of the gateway's limits under pressure: the whole gateway as in {@link GatewayTest},
 * with its own database and limits small enough to reach in a test: {@value #MAX_IN_FLIGHT} requests in
 * flight, bodies of at most {@value #MAX_REQUEST_BYTES} bytes read within 2 s, a place waited for at most
 * 2 s, and the actuator on a management port of its own. All subclasses share this Spring context: add
 * nothing here that differs between tests.
 */
@TestPropertySource(properties = {
        "spring.datasource.url=jdbc:h2:mem:tight-limits-test;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH",
        "spring.task.execution.simple.concurrency-limit=" + TightLimitsGatewayTest.MAX_IN_FLIGHT,
        "caravan.http.max-request-bytes=" + TightLimitsGatewayTest.MAX_REQUEST_BYTES,
        "caravan.http.body-read-timeout=2s",
        "caravan.http.admission-timeout=2s",
        "management.server.port=0"})
public abstract class TightLimitsGatewayTest extends GatewayTest {

    public static final int MAX_IN_FLIGHT = 4;
    public static final int MAX_REQUEST_BYTES = 65536;
}
