package dev.caravan.catalog;

/**
 * A rule a reloaded catalog must pass beyond its own consistency, checked before it is put in effect
 * (the price notice, which needs the database). At start the same rules stop the start.
 */
public interface CatalogCheck {

    /** @throws IllegalStateException naming what is wrong; the catalog is then not put in effect */
    void check(Catalog candidate);
}
