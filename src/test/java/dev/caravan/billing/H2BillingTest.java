package dev.caravan.billing;

/** The billing scenarios on the embedded H2 database (the shared test context). */
class H2BillingTest extends BillingScenarios {
}
