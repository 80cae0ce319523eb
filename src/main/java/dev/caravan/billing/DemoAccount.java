package dev.caravan.billing;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import dev.caravan.catalog.CurrentCatalog;
import dev.caravan.catalog.CatalogModel;
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
 *
 * <p>The demo account's credit is free money, so its keys reach only the demo models: the catalog
 * models all of whose backends are on this gateway itself (a base-url that is a path, the demo
 * provider). Every start brings the scope of the demo account's keys up to date with the catalog,
 * whether the demo is on or not, so a key made before scopes existed is limited too; so does every
 * reload of the catalog.
 */
@Component
public class DemoAccount implements ApplicationRunner {

    static final String ACCOUNT_ID = "acct_demo";
    private static final Logger log = LoggerFactory.getLogger(DemoAccount.class);

    private final Accounts accounts;
    private final CurrentCatalog catalog;
    private final boolean enabled;
    private final Path keyFile;
    private final BigDecimal credit;

    public DemoAccount(Accounts accounts, CurrentCatalog catalog, @Value("${caravan.demo.enabled:false}") boolean enabled,
                       @Value("${caravan.demo.key-file:data/demo-api-key}") Path keyFile,
                       @Value("${caravan.demo.credit:5.00}") BigDecimal credit) {
        this.accounts = accounts;
        this.catalog = catalog;
        this.enabled = enabled;
        this.keyFile = keyFile;
        this.credit = credit;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        List<String> demoModels = demoModels();
        if (enabled && !Files.exists(keyFile)) {
            if (accounts.exists(ACCOUNT_ID) && accounts.isClosed(ACCOUNT_ID)) {
                // the operator deleted it: a new key would reopen a closed account
                log.warn("The demo account {} is deleted: no demo key is written", ACCOUNT_ID);
            } else {
                writeNewKey(demoModels);
            }
        }
        if (accounts.exists(ACCOUNT_ID)) {
            accounts.limitKeysToModels(ACCOUNT_ID, demoModels);
        }
        // a reload may add or remove demo models: the demo keys follow, as at a start
        catalog.onReplace(reloaded -> {
            if (accounts.exists(ACCOUNT_ID)) {
                accounts.limitKeysToModels(ACCOUNT_ID, demoModels());
            }
        });
    }

    private List<String> demoModels() {
        return catalog.get().models().stream()
                .filter(model -> model.backends().stream().allMatch(backend -> backend.provider().isThisGateway()))
                .map(CatalogModel::id).toList();
    }

    private void writeNewKey(List<String> demoModels) throws IOException {
        if (!accounts.exists(ACCOUNT_ID)) {
            accounts.createWithId(ACCOUNT_ID, "Demo account", null);
            accounts.addCredits(ACCOUNT_ID, credit, "demo credit", "demo-initial-credit");
        }
        String key = accounts.createKey(ACCOUNT_ID, new Accounts.KeySpec("demo", null, null, null, null, demoModels))
                .secret();
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
        log.info("Demo account {} is ready; its API key is in {} (readable by you only) and reaches the models {}",
                ACCOUNT_ID, keyFile, demoModels);
    }
}
