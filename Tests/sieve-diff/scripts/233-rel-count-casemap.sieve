require ["fileinto", "relational"];
if header :count "eq" "X-Tag" "2" {
    fileinto "yes";
} else {
    fileinto "no";
}
