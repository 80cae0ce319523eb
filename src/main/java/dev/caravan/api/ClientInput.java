package dev.caravan.api;

/**
 * Checks of client-sent values before they reach SQL: a value longer than its column, or with a
 * character the database refuses (PostgreSQL takes no NUL), would otherwise fail as a database error.
 */
public final class ClientInput {

    /** The longest id the gateway makes (the id columns are VARCHAR(40)). */
    public static final int MAX_ID_LENGTH = 40;

    private ClientInput() {
    }

    /** Whether a value can be an id the gateway made: letters, digits, '_' and '-', at most 40. */
    public static boolean isId(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the value (null stays null)
     * @throws GatewayException 400 naming {@code param} when it is longer than {@code maxLength} or holds a control character
     */
    public static String text(String value, String param, int maxLength) {
        if (value == null) {
            return null;
        }
        if (value.length() > maxLength || value.chars().anyMatch(Character::isISOControl)) {
            throw GatewayException.invalidRequest(param, "'" + param + "' must be a string of at most " + maxLength
                    + " characters, without control characters.");
        }
        return value;
    }
}
