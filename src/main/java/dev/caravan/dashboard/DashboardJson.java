package dev.caravan.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON views particular to the dashboard; accounts, keys and usage records share billing's views. */
final class DashboardJson {

    private DashboardJson() {
    }

    static ObjectNode user(ObjectMapper json, Users.User user) {
        ObjectNode node = json.createObjectNode();
        node.put("id", user.id()).put("email", user.email()).put("account_id", user.accountId())
                .put("email_verified", user.verified()).put("created_at", user.createdAt().toString());
        return node;
    }
}
