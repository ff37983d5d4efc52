require ["fileinto", "date", "relational"];
if currentdate :zone "bogus" :value "ge" "year" "2000" {
    fileinto "yes";
} else {
    fileinto "no";
}
