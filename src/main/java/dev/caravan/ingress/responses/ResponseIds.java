package dev.caravan.ingress.responses;

/**
 * Ids of a response and its items, made from the gateway's request id ({@code resp_X} is request
 * {@code req_X}, for {@code GET /v1/generation?id=req_X}): no id is stored anywhere else.
 */
final class ResponseIds {

    private ResponseIds() {
    }

    static String response(String requestId) {
        return "resp_" + suffix(requestId);
    }

    static String message(String responseId, int outputIndex) {
        return "msg_" + suffix(responseId) + "_" + outputIndex;
    }

    static String functionCall(String responseId, int index) {
        return "fc_" + suffix(responseId) + "_" + index;
    }

    private static String suffix(String id) {
        int underscore = id.indexOf('_');
        return underscore < 0 ? id : id.substring(underscore + 1);
    }
}
