package dev.caravan.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.caravan.api.JsonFactories;

/**
 * API keys: a prefix ({@code caravan.auth.key-prefix}, {@code cvn-} by default) plus 32 random bytes,
 * URL-safe; stored only as their SHA-256, so a key keeps working when the prefix of new keys changes.
 * Ids, and the stored model scope.
 */
public final class ApiKeyFormat {

    public static final String DEFAULT_PREFIX = "cvn-";
    /** Characters shown of a key beyond its prefix, to recognise it in lists. */
    private static final int SHOWN = 6;
    /** The stored display prefix is at most 20 characters (api_keys.prefix). */
    private static final int MAX_PREFIX = 20 - SHOWN;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactories.create());
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private ApiKeyFormat() {
    }

    public static String newKey(String prefix) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** What lists show to recognise a key: its first characters, never enough to use it. */
    public static String displayPrefix(String key, String prefix) {
        return key.substring(0, Math.min(key.length(), prefix.length() + SHOWN));
    }

    /**
     * @return the prefix, checked: 1 to 14 letters, digits, '-' or '_' (what an Authorization header and a
     *         secret scanner's pattern take without quoting)
     * @throws IllegalArgumentException naming the setting otherwise
     */
    public static String checkPrefix(String prefix) {
        if (prefix == null || !prefix.matches("[A-Za-z0-9_-]{1," + MAX_PREFIX + "}")) {
            throw new IllegalArgumentException("caravan.auth.key-prefix: 1 to " + MAX_PREFIX
                    + " letters, digits, '-' or '_', got '" + prefix + "'");
        }
        return prefix;
    }

    public static String sha256(String key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key's model scope as the {@code api_keys.models} column holds it: a JSON array, or null for none. */
    public static String scopeColumn(Collection<String> models) {
        if (models == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(models);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Set<String> scopeOf(String column) {
        if (column == null) {
            return null;
        }
        try {
            return Set.copyOf(JSON.readValue(column, STRINGS));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("api_keys.models holds no JSON array of model ids", e);
        }
    }

    public static String newId(String kind) {
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        return kind + "_" + HexFormat.of().formatHex(random);
    }
}
