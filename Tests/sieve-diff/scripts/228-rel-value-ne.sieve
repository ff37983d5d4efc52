require ["fileinto", "relational"];
if header :value "ne" "X-Tag" "alpha" {
    fileinto "yes";
} else {
    fileinto "no";
}
