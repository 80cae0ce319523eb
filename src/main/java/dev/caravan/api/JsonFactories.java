package dev.caravan.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The JSON factory every mapper of the gateway is built on (Spring's, and the few static ones): its
 * parsers and generators take their buffers from one pool shared by all threads.
 *
 * <p>Why: Jackson's default pool keeps a set of buffers per thread (about 25 KB). Requests run on
 * virtual threads, one per request, so that pool recycled nothing: every request allocated a fresh
 * set, and every held stream kept one on the heap for as long as it lasted (docs/performance.md,
 * "Heap per held stream").
 */
@Configuration(proxyBeanMethods = false)
public class JsonFactories {

    /** Bounded: a peak of concurrent parsers leaves at most its pool size of buffer sets behind, not all of them. */
    private static final RecyclerPool<BufferRecycler> SHARED = JsonRecyclerPools.sharedBoundedPool();

    /** A new factory on the shared pool: one per mapper (a mapper makes its factory its own). */
    public static JsonFactory create() {
        return JsonFactory.builder().recyclerPool(SHARED).build();
    }

    @Bean
    Jackson2ObjectMapperBuilderCustomizer sharedJsonBuffers() {
        return builder -> builder.factory(create());
    }
}
