package dev.caravan.support;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The server-sent events of a complete streamed response whose events are named (Responses, Anthropic). */
public final class NamedEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One event: its {@code event:} name and its data. */
    public record Event(String name, JsonNode data) {
    }

    private NamedEvents() {
    }

    public static List<Event> of(HttpResponse<String> response) throws IOException {
        List<Event> events = new ArrayList<>();
        String name = null;
        for (String line : response.body().split("\n")) {
            if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.startsWith("data: ")) {
                events.add(new Event(name, JSON.readTree(line.substring(6))));
                name = null;
            }
        }
        return events;
    }
}
