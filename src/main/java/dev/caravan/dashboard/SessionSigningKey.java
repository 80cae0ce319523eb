package dev.caravan.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC key that signs session JWTs: from {@code caravan.dashboard.session-key} (the environment),
 * else generated once into a file of the data directory, readable by its owner only, so a restart keeps
 * everyone logged in. Several instances must share one key: set the environment variable.
 */
final class SessionSigningKey {

    private static final int MIN_BYTES = 32;

    private SessionSigningKey() {
    }

    static SecretKey load(DashboardSettings settings) {
        byte[] bytes;
        if (settings.sessionKey() != null && !settings.sessionKey().isBlank()) {
            bytes = decode(settings.sessionKey().trim(), "caravan.dashboard.session-key (CARAVAN_SESSION_KEY)");
        } else {
            bytes = fromFile(Path.of(settings.sessionKeyFile()));
        }
        return new SecretKeySpec(bytes, "HmacSHA256");
    }

    private static byte[] fromFile(Path file) {
        try {
            if (Files.exists(file)) {
                return decode(Files.readString(file).trim(), file.toString());
            }
            byte[] bytes = new byte[MIN_BYTES];
            new SecureRandom().nextBytes(bytes);
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = Files.createTempFile(parent, ".session-key", ".tmp");
            try {
                Files.setPosixFilePermissions(temp, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            } catch (UnsupportedOperationException notPosix) {
                // Windows: the file inherits the user's directory permissions
            }
            Files.writeString(temp, Base64.getEncoder().encodeToString(bytes) + System.lineSeparator());
            try {
                // a link, unlike a rename, never replaces: of two instances starting on one directory at
                // once, the first key written wins and both read it
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException raced) {
                // the other instance's key is the one
            } finally {
                Files.deleteIfExists(temp);
            }
            return decode(Files.readString(file).trim(), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("The session signing key file " + file + " cannot be read or written", e);
        }
    }

    private static byte[] decode(String base64, String source) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": must be base64 (e.g. $(openssl rand -base64 32))");
        }
        if (bytes.length < MIN_BYTES) {
            throw new IllegalArgumentException(source + ": must hold at least " + MIN_BYTES + " random bytes (base64), got "
                    + bytes.length);
        }
        return bytes;
    }
}
