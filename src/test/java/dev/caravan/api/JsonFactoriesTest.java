package dev.caravan.api;

import java.math.BigDecimal;

import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** Spring's mapper takes Jackson's buffers from the pool all threads share, and keeps its settings. */
class JsonFactoriesTest extends GatewayTest {

    @Autowired
    ObjectMapper json;

    @Test
    void springsMapperUsesTheSharedBufferPoolWithItsConfiguredFeatures() throws Exception {
        assertThat(json.getFactory()._getRecyclerPool()).isSameAs(JsonRecyclerPools.sharedBoundedPool());
        assertThat(JsonFactories.create()._getRecyclerPool()).isSameAs(JsonRecyclerPools.sharedBoundedPool());
        // spring.jackson.generator.write-bigdecimal-as-plain still applies
        assertThat(json.writeValueAsString(new BigDecimal("1E-7"))).isEqualTo("0.0000001");
    }
}
