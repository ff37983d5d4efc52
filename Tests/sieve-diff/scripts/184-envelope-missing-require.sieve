require ["fileinto"];
if envelope "to" "me@example.org" {
    fileinto "yes";
} else {
    fileinto "no";
}
