package dev.caravan.billing;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Makes the quick start work with authentication on: with the demo switched on, the first start
 * creates a demo account with a small credit and writes a key for it to a file only the owner can
 * read. The key is never logged. Delete the file to get a new key for the same account.
 */
@Component
public class DemoAccount implements ApplicationRunner {

    static final String ACCOUNT_ID = "acct_demo";
    private static final Logger log = LoggerFactory.getLogger(DemoAccount.class);

    private final Accounts accounts;
    private final boolean enabled;
    private final Path keyFile;
    private final BigDecimal credit;

    public DemoAccount(Accounts accounts, @Value("${caravan.demo.enabled:false}") boolean enabled,
                       @Value("${caravan.demo.key-file:data/demo-api-key}") Path keyFile,
                       @Value("${caravan.demo.credit:5.00}") BigDecimal credit) {
        this.accounts = accounts;
        this.enabled = enabled;
        this.keyFile = keyFile;
        this.credit = credit;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        if (!enabled || Files.exists(keyFile)) {
            return;
        }
        if (!accounts.exists(ACCOUNT_ID)) {
            accounts.createWithId(ACCOUNT_ID, "Demo account", null);
            accounts.addCredits(ACCOUNT_ID, credit, "demo credit", "demo-initial-credit");
        }
        String key = accounts.createKey(ACCOUNT_ID, new Accounts.KeySpec("demo", null, null, null, null, null)).secret();
        Path parent = keyFile.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path temp = Files.createTempFile(parent, ".demo-api-key", ".tmp");
        try {
            Files.setPosixFilePermissions(temp, Set.of(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                    java.nio.file.attribute.PosixFilePermission.OWNER_WRITE));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the file inherits the user's directory permissions
        }
        Files.writeString(temp, key + System.lineSeparator());
        Files.move(temp, keyFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        log.info("Demo account {} is ready; its API key is in {} (readable by you only)", ACCOUNT_ID, keyFile);
    }
}
