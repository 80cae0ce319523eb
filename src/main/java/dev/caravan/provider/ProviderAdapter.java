package dev.caravan.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.caravan.api.ClientRequest;
import dev.caravan.api.GatewayException;
import dev.caravan.catalog.Backend;

/**
 * One upstream wire protocol. Adapters are Spring beans found by {@link #protocol()}: a provider's
 * {@code protocol} in config/models.yaml selects one; adding a protocol is one new package.
 * Translation is pure: JSON in, JSON out.
 */
public interface ProviderAdapter {

    /** The name used as {@code protocol:} in config/models.yaml. */
    String protocol();

    /** What the protocol can honour beyond one plain answer. */
    default ProtocolFeatures features() {
        return ProtocolFeatures.ONE_ANSWER;
    }

    /** The upstream call for a client request, addressed to {@code baseUrl} (already resolved). */
    UpstreamRequest toUpstreamRequest(ClientRequest request, Backend backend, String baseUrl);

    /** A complete (non-stream) upstream answer as an OpenAI response body. */
    ObjectNode toOpenAiResponse(ClientRequest request, byte[] upstreamBody);

    /** A fresh translator for one streamed answer. */
    StreamTranslator newStreamTranslator(ClientRequest request);

    /** An upstream error status and body as the error the client gets. */
    GatewayException toClientError(int status, byte[] upstreamBody, String retryAfter, Backend backend);
}
