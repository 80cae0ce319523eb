package dev.caravan.provider;

import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * A native conversation being built: role-tagged turns, each with an array of parts. Consecutive
 * turns of one role go into one turn, so roles alternate (Anthropic requires it, Gemini expects it);
 * a turn left without parts is dropped (both refuse an empty one).
 */
public final class RoleTurns {

    private final ArrayNode turns = ProviderJson.object().arrayNode();
    private final String partsField;

    /** @param partsField the name of a turn's parts array: {@code content} (Anthropic), {@code parts} (Gemini) */
    public RoleTurns(String partsField) {
        this.partsField = partsField;
    }

    /** The parts of the last turn if it has this role, else of a new turn. */
    public ArrayNode partsOf(String role) {
        if (!turns.isEmpty() && turns.get(turns.size() - 1).path("role").asText().equals(role)) {
            return (ArrayNode) turns.get(turns.size() - 1).get(partsField);
        }
        return turns.addObject().put("role", role).putArray(partsField);
    }

    public ArrayNode toArray() {
        ArrayNode result = turns.arrayNode();
        turns.forEach(turn -> {
            if (!turn.path(partsField).isEmpty()) {
                result.add(turn);
            }
        });
        return result;
    }
}
