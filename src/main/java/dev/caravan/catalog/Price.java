package dev.caravan.catalog;

import java.math.BigDecimal;
import java.util.Map;
import java.util.stream.Stream;

import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * USD per one million tokens. {@code cachedInput} (prompt tokens read from the provider's prompt
 * cache) and {@code cacheWrite} (prompt tokens written to it, which Anthropic bills above the input
 * price) fall back to {@code input} when not configured; {@code audioInput} (audio prompt tokens)
 * too. {@code audioOutput} (audio completion tokens) has no fallback: a backend without it does not
 * take requests for audio answers. {@code serviceTiers} are the complete prices of the provider's
 * other processing tiers ({@code flex}, {@code priority}, ...), by the name a request's
 * {@code service_tier} gives; a tier not listed is not served.
 */
public record Price(BigDecimal input, BigDecimal output, BigDecimal cachedInput, BigDecimal cacheWrite,
                    BigDecimal audioInput, BigDecimal audioOutput, Map<String, Price> serviceTiers) {

    /** The tier a request without {@code service_tier} gets, priced by the backend's own prices. */
    public static final String DEFAULT_TIER = "default";

    @ConstructorBinding
    public Price {
        input = input == null ? BigDecimal.ZERO : input;
        output = output == null ? BigDecimal.ZERO : output;
        cachedInput = cachedInput == null ? input : cachedInput;
        cacheWrite = cacheWrite == null ? input : cacheWrite;
        audioInput = audioInput == null ? input : audioInput;
        serviceTiers = serviceTiers == null ? Map.of() : Map.copyOf(serviceTiers);
    }

    public Price(BigDecimal input, BigDecimal output, BigDecimal cachedInput, BigDecimal cacheWrite) {
        this(input, output, cachedInput, cacheWrite, null, null, null);
    }

    public Price(BigDecimal input, BigDecimal output, BigDecimal cachedInput) {
        this(input, output, cachedInput, null);
    }

    /** The prices of a processing tier: these for the default one (or none asked), null for one not listed. */
    public Price forTier(String serviceTier) {
        return serviceTier == null || serviceTier.equals(DEFAULT_TIER) ? this : serviceTiers.get(serviceTier);
    }

    /** The most a prompt token can cost: what a credit hold must assume for an unknown prompt. */
    public BigDecimal highestInput(boolean audio) {
        BigDecimal highest = input.max(cachedInput).max(cacheWrite);
        return audio ? highest.max(audioInput) : highest;
    }

    /** The most a completion token can cost: an audio answer's tokens may be audio or text. */
    public BigDecimal highestOutput(boolean audio) {
        return audio && audioOutput != null ? output.max(audioOutput) : output;
    }

    /**
     * Whether any amount is higher than in {@code before}: what needs notice. A service tier or an
     * audio-output price that {@code before} did not offer is new, not higher (no request paid it).
     */
    public boolean raisesOver(Price before) {
        boolean higher = input.compareTo(before.input) > 0 || output.compareTo(before.output) > 0
                || cachedInput.compareTo(before.cachedInput) > 0 || cacheWrite.compareTo(before.cacheWrite) > 0
                || audioInput.compareTo(before.audioInput) > 0
                || audioOutput != null && before.audioOutput != null && audioOutput.compareTo(before.audioOutput) > 0;
        return higher || serviceTiers.entrySet().stream().anyMatch(tier -> before.serviceTiers.containsKey(tier.getKey())
                && tier.getValue().raisesOver(before.serviceTiers.get(tier.getKey())));
    }

    public boolean isFree() {
        return amounts().allMatch(amount -> amount.signum() == 0);
    }

    /** Every amount of this price (not of its tiers). */
    public Stream<BigDecimal> amounts() {
        return Stream.of(input, output, cachedInput, cacheWrite, audioInput, audioOutput == null ? BigDecimal.ZERO : audioOutput);
    }
}
