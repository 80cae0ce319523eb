package dev.caravan.api;

/**
 * A request body already read whole into memory, as the routes' HTTP front reads every body before
 * the route runs. The parser takes its bytes as they are instead of reading (and so copying) a
 * stream: for a long prompt each copy is megabytes.
 */
public interface WholeBody {

    /** The body's bytes: the caller must not change them. */
    byte[] bytes();
}
