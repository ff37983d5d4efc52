require ["fileinto", "envelope"];
if envelope "x-unknown" "a" {
    fileinto "yes";
} else {
    fileinto "no";
}
