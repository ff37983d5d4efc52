require ["fileinto", "envelope"];
if envelope :is "to" "me@example.org" {
    fileinto "yes";
} else {
    fileinto "no";
}
