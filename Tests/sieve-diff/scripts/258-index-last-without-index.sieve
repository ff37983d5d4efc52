require ["fileinto", "index"];
if header :last :is "X-Tag" "Beta" {
    fileinto "yes";
} else {
    fileinto "no";
}
