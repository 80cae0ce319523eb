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

/** API keys: {@code cvn-} plus 32 random bytes, URL-safe; stored only as their SHA-256. Ids, and the stored model scope. */
public final class ApiKeyFormat {

    public static final String PREFIX = "cvn-";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private ApiKeyFormat() {
    }

    public static String newKey() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** What lists show to recognise a key: its first characters, never enough to use it. */
    public static String displayPrefix(String key) {
        return key.substring(0, Math.min(key.length(), PREFIX.length() + 6));
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
