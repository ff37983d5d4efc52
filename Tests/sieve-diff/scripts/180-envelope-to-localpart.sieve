require ["fileinto", "envelope"];
if envelope :localpart "to" "ME" {
    fileinto "yes";
} else {
    fileinto "no";
}
