require ["fileinto", "date"];
if date :zone "-0500" :is "date" "std11" "Sat, 29 Feb 2020 23:30:15 -0500" {
    fileinto "yes";
} else {
    fileinto "no";
}
