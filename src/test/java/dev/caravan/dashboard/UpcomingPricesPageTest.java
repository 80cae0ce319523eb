package dev.caravan.dashboard;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Models page shows an announced price under the current one, with its day. Runs in
 * PriceChangeTest's gateway (the same catalog and database: one Spring context for both).
 */
@TestPropertySource(properties = {
        "caravan.models-file=src/test/resources/price-change-models.yaml",
        "spring.datasource.url=jdbc:h2:mem:price-change-test;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"})
class UpcomingPricesPageTest extends BrowserTest {

    @Test
    void theModelsPageShowsAnAnnouncedPriceAndItsDay() {
        open("/models");
        WebElement model = visible("#models tr[data-model='rising-later']");
        String input = model.findElement(By.cssSelector(".price-input")).getText();
        assertThat(input).startsWith("$1.50").contains("from 2040-01-01: $2.00");
        assertThat(model.findElement(By.cssSelector(".price-output")).getText()).contains("from 2040-01-01: $4.00");
    }
}
