package dev.caravan.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/connection}: where an SDK reaches this gateway, for the Keys page to show next to a
 * new key. {@code base_url} is {@code caravan.dashboard.public-url} + {@code /v1}, or null when no
 * public URL is set: the page then uses its own origin, which is what the browser reached (the
 * request's {@code Host} header is not trusted to build an address, as for mailed links).
 */
@RestController
public class ConnectionApiController {

    private final DashboardSettings settings;
    private final ObjectMapper json;

    public ConnectionApiController(DashboardSettings settings, ObjectMapper json) {
        this.settings = settings;
        this.json = json;
    }

    @GetMapping(path = "/api/connection", produces = "application/json")
    public ObjectNode connection() {
        ObjectNode node = json.createObjectNode();
        String publicUrl = settings.publicUrl();
        if (publicUrl == null || publicUrl.isBlank()) {
            node.putNull("base_url");
        } else {
            node.put("base_url", publicUrl.replaceAll("/+$", "") + "/v1");
        }
        return node;
    }
}
