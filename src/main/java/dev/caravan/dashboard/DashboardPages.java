package dev.caravan.dashboard;

import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The dashboard's page addresses, each served by its static HTML file ({@code static/pages/}). The
 * pages hold no data: they fetch it from {@code /api} with the session cookie. The security chain has
 * already sent a browser without a session from the pages that need one to {@code /login}.
 */
@Controller
public class DashboardPages {

    @GetMapping("/")
    public String overview() {
        return "forward:/pages/overview.html";
    }

    @GetMapping("/keys")
    public String keys() {
        return "forward:/pages/keys.html";
    }

    @GetMapping("/usage")
    public String usage() {
        return "forward:/pages/usage.html";
    }

    @GetMapping("/account")
    public String account() {
        return "forward:/pages/account.html";
    }

    @GetMapping("/credits")
    public String credits() {
        return "forward:/pages/credits.html";
    }

    @GetMapping("/login")
    public String login() {
        return "forward:/pages/login.html";
    }

    @GetMapping("/signup")
    public String signup() {
        return "forward:/pages/signup.html";
    }

    @GetMapping("/forgot-password")
    public String forgotPassword() {
        return "forward:/pages/forgot-password.html";
    }

    @GetMapping("/reset-password")
    public String resetPassword() {
        return "forward:/pages/reset-password.html";
    }

    @GetMapping("/models")
    public String models() {
        return "forward:/pages/models.html";
    }
}
