require ["fileinto", "relational"];
if header :value "gte" "X-Count" "1" {
    fileinto "yes";
} else {
    fileinto "no";
}
