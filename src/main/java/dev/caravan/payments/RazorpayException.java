package dev.caravan.payments;

/**
 * Razorpay refused a call ({@code status} 4xx/5xx with its {@code {"error":{"code","description"}}})
 * or could not be reached ({@code status} 0). A refusal is final; unreachable leaves the outcome unknown.
 */
public class RazorpayException extends RuntimeException {

    private final int status;
    private final String code;

    public RazorpayException(int status, String code, String description) {
        super(description, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Razorpay answered with a client error: the call was refused and had no effect. */
    public boolean refused() {
        return status >= 400 && status < 500;
    }
}
