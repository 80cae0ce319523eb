package dev.caravan.admin;

import dev.caravan.CaravanApplication;
import dev.caravan.api.GatewayException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The admin token as configured: trimmed, long enough to resist guessing, or absent. */
class AdminTokenTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @Test
    void aTokenWithSurroundingWhitespaceMatchesTheTokenItself() {
        AdminToken configured = new AdminToken("  " + TOKEN + " \n");

        assertThatCode(() -> configured.check("Bearer " + TOKEN)).doesNotThrowAnyException();
        assertThatThrownBy(() -> configured.check("Bearer " + TOKEN + "0")).isInstanceOf(GatewayException.class);
    }

    @Test
    void aTokenShorterThan32CharactersIsRefused() {
        assertThatThrownBy(() -> new AdminToken(" change-me "))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("CARAVAN_ADMIN_TOKEN").hasMessageContaining("caravan.admin.token")
                .hasMessageContaining("32");
    }

    @Test
    void aGatewayWithAShortAdminTokenDoesNotStart() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(CaravanApplication.class).run("--server.port=0",
                "--spring.datasource.url=jdbc:h2:mem:short-admin-token;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                "--caravan.demo.enabled=false", "--caravan.admin.token=change-me"))
                .satisfies(failure -> assertThat(rootCause(failure).getMessage())
                        .contains("CARAVAN_ADMIN_TOKEN", "caravan.admin.token", "at least 32 characters"));
    }

    @Test
    void aBlankTokenLeavesTheAdminApiOff() {
        assertThatThrownBy(() -> new AdminToken(" \n").check("Bearer "))
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
